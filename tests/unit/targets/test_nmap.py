# ruff: noqa: E501  (the fixtures keep nmap's own long lines)
"""Nmap reports as targets: grepable and XML fixtures written by hand, recognition by content.

Real nmap output (Debian's nmap against a loopback listener) is read in
tests/integration/test_discovery.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pqcscan.errors import UsageError
from pqcscan.targets.model import Endpoint
from pqcscan.targets.nmap import NmapFormat, sniff
from pqcscan.targets.scope import Scope
from pqcscan.targets.specs import TargetPlan

GREPABLE = """\
# Nmap 7.93 scan initiated Mon Jan  6 10:00:00 2025 as: nmap -sV -oG scan.gnmap 192.0.2.0/28
Host: 192.0.2.1 (gw.example)\tStatus: Up
Host: 192.0.2.1 (gw.example)\tPorts: 22/open/tcp//ssh//OpenSSH 9.2p1 Debian 2+deb12u3 (protocol 2.0)/, 80/closed/tcp//http///, 443/open/tcp//ssl|https//nginx/\tIgnored State: filtered (997)
Host: 192.0.2.5 ()\tStatus: Up
Host: 192.0.2.5 ()\tPorts: 25/open/tcp//smtp//Postfix smtpd/, 53/open/udp//domain///, 110/open|filtered/tcp//pop3///\tIgnored State: closed (997)
Host: 2001:db8::7 ()\tPorts: 8443/open/tcp//https-alt///
Host: 192.0.2.9 ()\tStatus: Down
# Nmap done at Mon Jan  6 10:00:09 2025 -- 16 IP addresses (3 hosts up) scanned in 9.00 seconds
"""

XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<nmaprun scanner="nmap" args="nmap -sV -oX scan.xml www.example 192.0.2.5" version="7.93" xmloutputversion="1.05">
<scaninfo type="connect" protocol="tcp" numservices="1000" services="1-1000"/>
<host starttime="1" endtime="2"><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="192.0.2.10" addrtype="ipv4"/>
<address addr="00:11:22:33:44:55" addrtype="mac"/>
<hostnames>
<hostname name="www.example" type="user"/>
<hostname name="web01.internal.example" type="PTR"/>
</hostnames>
<ports><extraports state="closed" count="997"/>
<port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="http" product="nginx" tunnel="ssl" method="probed" conf="10"/></port>
<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="http" method="table" conf="3"/></port>
<port protocol="tcp" portid="8080"><state state="filtered" reason="no-response" reason_ttl="0"/><service name="http-proxy" method="table" conf="3"/></port>
<port protocol="udp" portid="53"><state state="open" reason="udp-response" reason_ttl="0"/><service name="domain" method="table" conf="3"/></port>
</ports>
</host>
<host starttime="1" endtime="2"><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="192.0.2.5" addrtype="ipv4"/>
<hostnames><hostname name="mx.internal.example" type="PTR"/></hostnames>
<ports><port protocol="tcp" portid="25"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="smtp" method="table" conf="3"/></port>
<port protocol="tcp" portid="12345"><state state="open" reason="syn-ack" reason_ttl="0"/></port>
</ports>
</host>
<host><status state="down" reason="no-response" reason_ttl="0"/>
<address addr="192.0.2.6" addrtype="ipv4"/>
</host>
<runstats><finished time="3" timestr="x" elapsed="1.00" summary="x" exit="success"/><hosts up="2" down="1" total="3"/></runstats>
</nmaprun>
"""

NORMAL = """\
# Nmap 7.93 scan initiated Mon Jan  6 10:00:00 2025 as: nmap -oN scan.nmap 192.0.2.1
Nmap scan report for 192.0.2.1
Host is up (0.00010s latency).
PORT    STATE SERVICE
443/tcp open  https
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sniff_by_content() -> None:
    assert sniff(GREPABLE.encode()) is NmapFormat.GREPABLE
    assert sniff(XML.encode()) is NmapFormat.XML
    assert sniff(NORMAL.encode()) is NmapFormat.NORMAL
    assert sniff(b"10.0.0.1\n# not nmap\n") is None
    assert sniff(b'<?xml version="1.0"?><other/>') is None


def test_grepable_open_tcp_ports_with_service_names(tmp_path: Path) -> None:
    path = _write(tmp_path, "whatever.txt", GREPABLE)  # the name does not matter
    endpoints = list(TargetPlan([f"@{path}"], default_ports=[993]))
    assert endpoints == [
        Endpoint("192.0.2.1", 22, None, "ssh"),
        Endpoint("192.0.2.1", 443, None, "ssl|https"),
        Endpoint("192.0.2.5", 25, None, "smtp"),
        Endpoint("2001:db8::7", 8443, None, "https-alt"),
    ]


def test_xml_open_tcp_ports_user_hostname_and_tunnel(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan.xml", XML)
    endpoints = list(TargetPlan([], files=[path]).endpoints())
    assert endpoints == [
        Endpoint("192.0.2.10", 443, "www.example", "ssl/http"),
        Endpoint("192.0.2.10", 80, "www.example", "http"),
        Endpoint("192.0.2.5", 25, None, "smtp"),
        Endpoint("192.0.2.5", 12345, None, None),
    ]
    assert endpoints[0].sni == "www.example"  # the name the user gave nmap; PTR names are not


def test_nmap_hosts_out_of_scope_are_skipped_but_a_file_all_outside_is_refused(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "scan.xml", XML)
    plan = TargetPlan([f"@{path}"], scope=Scope.build(allow=["192.0.2.8/29"]))
    assert [e.address for e in plan.endpoints()] == ["192.0.2.10", "192.0.2.10"]
    assert plan.stats.skipped == 2
    with pytest.raises(UsageError, match=r"scan\.xml: every host is outside the allowed scope"):
        TargetPlan([f"@{path}"], scope=Scope.build(allow=["10.0.0.0/8"]))
    excluded = TargetPlan([f"@{path}"], scope=Scope.build(exclude=["192.0.2.5"]))
    assert {e.address for e in excluded.endpoints()} == {"192.0.2.10"}


def test_normal_output_is_refused_clearly(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan.nmap", NORMAL)
    with pytest.raises(UsageError, match=r"normal output \(-oN\) is not supported"):
        TargetPlan([f"@{path}"])


def test_broken_nmap_files(tmp_path: Path) -> None:
    broken = _write(tmp_path, "cut.xml", XML[: XML.index("</ports>")])
    with pytest.raises(UsageError, match="malformed nmap XML"):
        TargetPlan([f"@{broken}"])
    bad_address = _write(
        tmp_path,
        "bad.gnmap",
        GREPABLE.replace("Host: 192.0.2.5 ()\tPorts", "Host: 999.1.1.1 ()\tPorts"),
    )
    with pytest.raises(UsageError, match=r"bad\.gnmap:5: '999\.1\.1\.1' is not an IP address"):
        TargetPlan([f"@{bad_address}"])


def test_xml_reader_keeps_memory_flat(tmp_path: Path) -> None:
    """Thousands of hosts stream through without the tree being kept."""
    host = (
        '<host><status state="up"/><address addr="10.0.{a}.{b}" addrtype="ipv4"/><ports>'
        '<port protocol="tcp" portid="443"><state state="open"/><service name="https"/></port>'
        "</ports></host>\n"
    )
    body = "".join(host.format(a=a, b=b) for a in range(40) for b in range(1, 251))
    path = _write(tmp_path, "big.xml", f'<?xml version="1.0"?>\n<nmaprun>\n{body}</nmaprun>\n')
    plan = TargetPlan([f"@{path}"])
    assert plan.stats.planned == 40 * 250
    count = 0
    for endpoint in plan:
        assert isinstance(endpoint, Endpoint) and endpoint.protocol == "https"
        count += 1
    assert count == 40 * 250
