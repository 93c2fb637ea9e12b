"""config_kind: which files are configuration files of which format."""

from __future__ import annotations

import pytest

from pqcscan.collectors.code.config import config_kind
from tests.unit.code.config._util import load


@pytest.mark.parametrize(
    ("name", "path", "fixture", "kind"),
    [
        ("nginx.conf", "etc/nginx/nginx.conf", "nginx.conf", "nginx"),
        ("site.conf", "etc/nginx/conf.d/site.conf", "nginx-site-intermediate.conf", "nginx"),
        ("pq.example.com", "etc/nginx/sites-available/pq.example.com", "nginx-site-pqc.conf",
         "nginx"),
        ("payments.conf", "deploy/payments.conf", "nginx-site-intermediate.conf", "nginx"),
        ("ssl.conf", "etc/apache2/mods-available/ssl.conf", "apache2-ssl.conf", "apache"),
        ("httpd.conf", "opt/httpd.conf", "apache-intermediate.conf", "apache"),
        ("vhost.conf", "srv/vhost.conf", "apache-intermediate.conf", "apache"),
        ("haproxy.cfg", "etc/haproxy/haproxy.cfg", "haproxy.cfg", "haproxy"),
        ("lb.cfg", "ops/lb.cfg", "haproxy.cfg", "haproxy"),
        ("openssl.cnf", "etc/ssl/openssl.cnf", "openssl.cnf", "openssl"),
        ("tls.cnf", "etc/ssl/openssl.cnf.d/tls.cnf", "openssl-tls-hardening.cnf", "openssl"),
        ("sshd_config", "etc/ssh/sshd_config", "sshd_config", "sshd"),
        ("hardening.conf", "etc/ssh/sshd_config.d/hardening.conf", "sshd_config.hardened",
         "sshd"),
        ("ssh_config", "etc/ssh/ssh_config", "ssh_config", "ssh"),
        ("config", "home/ops/.ssh/config", "ssh_config", "ssh"),
        ("java.security", "usr/lib/jvm/java-17/conf/security/java.security", "java.security",
         "java-security"),
        ("application.yml", "src/main/resources/application.yml", "application.yml", "spring"),
        ("application-prod.yaml", "config/application-prod.yaml", "application.yml", "spring"),
        ("application.properties", "src/main/resources/application.properties",
         "application.properties", "spring"),
    ],
)  # fmt: skip
def test_detected(name: str, path: str, fixture: str, kind: str) -> None:
    assert config_kind(name, path, load(fixture)[:4096]) == kind


@pytest.mark.parametrize(
    ("name", "path", "content"),
    [
        ("resolv.conf", "etc/resolv.conf", b"nameserver 10.0.0.2\nsearch example.net\n"),
        ("logrotate.conf", "etc/logrotate.conf", b"weekly\nrotate 4\ncreate\ninclude /etc/x\n"),
        ("sysctl.conf", "etc/sysctl.conf", b"net.ipv4.ip_forward=1\n"),
        ("named.conf", "etc/bind/named.conf", b'options {\n  directory "/var/cache/bind";\n};\n'),
        ("messages.properties", "src/main/resources/messages.properties",
         b"greeting=Hello\nserver.ssl.note=not spring config\n"),
        ("log4j2.yml", "src/main/resources/log4j2.yml", b"Configuration:\n  status: warn\n"),
        ("docker-compose.yml", "docker-compose.yml", b"services:\n  web:\n    image: nginx\n"),
        ("pipeline.cfg", "ci/pipeline.cfg", b"[build]\nbind = 0.0.0.0\n"),
        ("ca.cnf", "pki/ca.cnf", b"[ req ]\ndefault_bits = 4096\nprompt = no\n"),
        ("config", "home/ops/project/config", b"Host *\n  KexAlgorithms x\n"),
        ("README.md", "README.md", b"ssl_protocols TLSv1.2;\n"),
        ("app.conf", "opt/app/app.conf", b"[access]\ngroups = wheel, admins\n"),
        ("my.cnf", "etc/mysql/my.cnf", b"[mysqld]\nssl-cipher = DHE-RSA-AES256-SHA\n"),
    ],
)  # fmt: skip
def test_not_detected(name: str, path: str, content: bytes) -> None:
    assert config_kind(name, path, content) is None
