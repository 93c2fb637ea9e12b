"""Trust validation of a presented certificate chain against the roots users' clients trust.

Stores: the six root stores sslyze ships (Mozilla NSS, Apple, Microsoft Windows, Google AOSP,
OpenJDK, Oracle Java; loaded once per process) plus any custom roots the caller adds.

Classical chains (RSA, ECDSA, EdDSA signatures) are validated with
``cryptography.x509.verification`` (RFC 5280 path building, the CA/Browser Forum profile,
server-name check with the SNI hostname; without a hostname the leaf's own first DNS name is
used, so only the path is judged, and the result says so). When validation fails, the reason
users need is worked out independently: ``self-signed``, ``unknown issuer``, ``expired`` /
``not yet valid`` (leaf or intermediate), ``name mismatch``; anything else is reported with
cryptography's message.

Chains with ML-DSA signatures, which ``cryptography`` 46 cannot verify, get a reduced path
check done here: issuer/subject name chaining confirmed by AKI/SKI when present, validity
periods, CA basic constraints on issuers, every signature verified (ML-DSA with dilithium-py,
classical ones with ``cryptography``), an anchor in a store (by DER, or by name and a verified
signature), and the server name. It does not process policies, name constraints or path
lengths, and says so in the method. Chains with other signatures cryptography cannot verify
(SLH-DSA, composite) are "not-tested" with that reason.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, cached_property
from importlib import resources

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import DNSName, IPAddress
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from pqcscan.collectors.tls.report import TrustResult
from pqcscan.collectors.tls.tls13 import leaf_spki, spki_bit_string, verify_ml_dsa

SSLYZE_STORES = (
    ("mozilla_nss", "Mozilla"),
    ("apple", "Apple"),
    ("microsoft_windows", "Microsoft"),
    ("google_aosp", "Google AOSP"),
    ("openjdk", "OpenJDK"),
    ("oracle_java", "Oracle Java"),
)
METHOD_CRYPTOGRAPHY = "cryptography.x509.verification"
METHOD_REDUCED = (
    "pqcscan reduced path check (names, AKI/SKI, validity, CA flags, signatures incl. "
    "ML-DSA via dilithium-py; no policy, name or path-length constraints)"
)
_ML_DSA_OIDS = {
    "2.16.840.1.101.3.4.3.17": "ML_DSA_44",
    "2.16.840.1.101.3.4.3.18": "ML_DSA_65",
    "2.16.840.1.101.3.4.3.19": "ML_DSA_87",
}
#: Signature OIDs cryptography's verifier handles (RSA PKCS#1 / PSS, ECDSA, EdDSA).
_CLASSIC_PREFIXES = ("1.2.840.113549.1.1.", "1.2.840.10045.4.", "1.3.101.112", "1.3.101.113")


@dataclass(frozen=True)
class TrustStore:
    """A named set of root certificates."""

    name: str
    roots: tuple[x509.Certificate, ...]

    @property
    def store(self) -> Store:
        return _store(self)

    @cached_property
    def _by_subject(self) -> dict[bytes, list[x509.Certificate]]:
        index: dict[bytes, list[x509.Certificate]] = {}
        for cert in self.roots:
            index.setdefault(cert.subject.public_bytes(), []).append(cert)
        return index

    @cached_property
    def _ders(self) -> frozenset[bytes]:
        return frozenset(c.public_bytes(Encoding.DER) for c in self.roots)

    def by_subject(self, subject: x509.Name) -> list[x509.Certificate]:
        return self._by_subject.get(subject.public_bytes(), [])

    def contains(self, cert: x509.Certificate) -> bool:
        return cert.public_bytes(Encoding.DER) in self._ders


_STORES: dict[int, Store] = {}


def _store(ts: TrustStore) -> Store:
    key = id(ts)
    if key not in _STORES:
        _STORES[key] = Store(list(ts.roots))
    return _STORES[key]


def _load_pem(data: bytes) -> tuple[x509.Certificate, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tuple(x509.load_pem_x509_certificates(data))
        except ValueError:
            return ()


@cache
def sslyze_trust_stores() -> tuple[TrustStore, ...]:
    """The root stores sslyze ships, loaded once per process."""
    folder = resources.files("sslyze.plugins.certificate_info.trust_stores").joinpath("pem_files")
    out = []
    for file_name, label in SSLYZE_STORES:
        path = folder.joinpath(f"{file_name}.pem")
        if path.is_file():
            out.append(TrustStore(label, _load_pem(path.read_bytes())))
    return tuple(out)


def custom_store(roots: Iterable[bytes | x509.Certificate], name: str = "custom") -> TrustStore:
    """A store of the given root certificates (DER bytes or loaded certificates)."""
    certs = tuple(
        r if isinstance(r, x509.Certificate) else x509.load_der_x509_certificate(r) for r in roots
    )
    return TrustStore(name, certs)


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return None


def _dns_names(cert: x509.Certificate) -> list[str]:
    san = _san(cert)
    return [str(n) for n in san.get_values_for_type(x509.DNSName)] if san else []


def _ip_names(cert: x509.Certificate) -> list[str]:
    san = _san(cert)
    return [str(n) for n in san.get_values_for_type(x509.IPAddress)] if san else []


def name_matches(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125 matching of ``host`` against the SAN (one left-most wildcard label)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        return str(ip) in _ip_names(cert)
    host = host.lower().rstrip(".")
    for name in _dns_names(cert):
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def _aki(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier
        ).value.key_identifier
    except (x509.ExtensionNotFound, ValueError):
        return None


def _ski(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError):
        return None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        return False


def _issues(issuer: x509.Certificate, cert: x509.Certificate) -> bool:
    """``issuer`` could have issued ``cert`` (names, and key identifiers when both exist)."""
    if issuer.subject != cert.issuer:
        return False
    aki, ski = _aki(cert), _ski(issuer)
    return aki is None or ski is None or aki == ski


def _self_issued(cert: x509.Certificate) -> bool:
    return _issues(cert, cert)


def _signature_ok(cert: x509.Certificate, issuer: x509.Certificate) -> bool | None:
    """Did ``issuer``'s key sign ``cert``? None when the algorithm cannot be checked."""
    key_oid = issuer.public_key_algorithm_oid.dotted_string
    if key_oid in _ML_DSA_OIDS:
        if cert.signature_algorithm_oid.dotted_string != key_oid:
            return False
        try:
            raw = spki_bit_string(leaf_spki(issuer.public_bytes(Encoding.DER)))
            return verify_ml_dsa(
                _ML_DSA_OIDS[key_oid], raw, cert.tbs_certificate_bytes, cert.signature
            )
        except Exception:
            return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError):
        return False
    except Exception:
        return None
    return True


def _validity(cert: x509.Certificate, now: datetime) -> str | None:
    if cert.not_valid_after_utc < now:
        return "expired"
    if cert.not_valid_before_utc > now:
        return "not yet valid"
    return None


def _classic(cert: x509.Certificate) -> bool:
    oid = cert.signature_algorithm_oid.dotted_string
    return oid.startswith(_CLASSIC_PREFIXES)


class TrustValidator:
    """Validates chains against the sslyze stores plus optional custom roots."""

    def __init__(
        self,
        extra_roots: Iterable[bytes | x509.Certificate] = (),
        *,
        stores: Sequence[TrustStore] | None = None,
    ) -> None:
        base = tuple(stores) if stores is not None else sslyze_trust_stores()
        extra = tuple(extra_roots)
        self.stores: tuple[TrustStore, ...] = base + ((custom_store(extra),) if extra else ())

    def __call__(
        self, chain: Sequence[bytes], hostname: str | None, now: datetime | None = None
    ) -> TrustResult:
        return self.validate(chain, hostname, now)

    def validate(
        self, chain: Sequence[bytes], hostname: str | None, now: datetime | None = None
    ) -> TrustResult:
        """Validate ``chain`` (leaf first, as presented) for ``hostname`` at ``now``."""
        if not chain:
            return TrustResult(None, "no certificate")
        moment = now or datetime.now(UTC)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                certs = [x509.load_der_x509_certificate(der) for der in chain]
                for cert in certs:  # names are decoded lazily: read them once here
                    cert.subject, cert.issuer  # noqa: B018
        except (ValueError, KeyError, x509.InvalidVersion) as exc:  # KeyError: a name string type
            return TrustResult(None, f"unreadable certificate: {exc}")
        if all(_classic(c) for c in certs):
            return self._classic(certs, hostname, moment)
        unsupported = [
            c.signature_algorithm_oid.dotted_string
            for c in certs
            if not _classic(c) and c.signature_algorithm_oid.dotted_string not in _ML_DSA_OIDS
        ]
        if unsupported:
            return TrustResult(
                None,
                f"signature algorithm {unsupported[0]} cannot be verified here",
                METHOD_REDUCED,
            )
        return self._reduced(certs, hostname, moment)

    # -- classical: cryptography --------------------------------------------------------------

    def _classic(
        self, certs: list[x509.Certificate], hostname: str | None, now: datetime
    ) -> TrustResult:
        leaf, intermediates = certs[0], certs[1:]
        name_note = ""
        if hostname:
            subject: DNSName | IPAddress = _subject(hostname)
        else:
            names = _dns_names(leaf)
            if not names:
                return TrustResult(None, "no hostname to check and no DNS name in the certificate")
            subject = DNSName(names[0])
            name_note = "name not checked (no hostname)"
        stores: list[tuple[str, str]] = []
        trusted_by: list[str] = []
        last_error = ""
        for ts in self.stores:
            if not ts.roots:
                continue
            verifier = PolicyBuilder().store(ts.store).time(now).build_server_verifier(subject)
            try:
                verifier.verify(leaf, intermediates)
            except VerificationError as exc:
                last_error = str(exc)
                stores.append((ts.name, "not trusted"))
                continue
            except Exception as exc:  # odd certificates the verifier refuses to read
                last_error = f"{type(exc).__name__}: {exc}"
                stores.append((ts.name, "not trusted"))
                continue
            trusted_by.append(ts.name)
            stores.append((ts.name, "trusted"))
        if trusted_by:
            return TrustResult(True, name_note, METHOD_CRYPTOGRAPHY, tuple(stores))
        problems = self._problems(certs, hostname, now)
        if not problems:
            problems = [_readable(last_error)]
        return TrustResult(False, "; ".join(problems), METHOD_CRYPTOGRAPHY, tuple(stores))

    def _anchor(self, cert: x509.Certificate) -> bool:
        """``cert`` is a root of some store, or was issued by one."""
        for ts in self.stores:
            if ts.contains(cert):
                return True
            for root in ts.by_subject(cert.issuer):
                if _issues(root, cert) and _signature_ok(cert, root):
                    return True
        return False

    def _problems(
        self, certs: list[x509.Certificate], hostname: str | None, now: datetime
    ) -> list[str]:
        """What users need to hear about a chain that did not validate, most telling first."""
        problems: list[str] = []
        leaf = certs[0]
        path = _path(certs)
        top = path[-1]
        anchored = any(self._anchor(c) for c in path)
        if len(path) == 1 and _self_issued(leaf) and not anchored:
            problems.append("self-signed")
        elif not anchored:
            problems.append("unknown issuer")
        for i, cert in enumerate(path):
            state = _validity(cert, now)
            if state:
                problems.append(state if i == 0 else f"{state} {_role(i, cert, top)}")
        if hostname and not name_matches(leaf, hostname):
            problems.append("name mismatch")
        return problems

    # -- ML-DSA: the reduced check ----------------------------------------------------------

    def _reduced(
        self, certs: list[x509.Certificate], hostname: str | None, now: datetime
    ) -> TrustResult:
        path = _path(certs)
        problems: list[str] = []
        for cert, issuer in itertools.pairwise(path):
            if not _is_ca(issuer):
                problems.append(f"issuer {issuer.subject.rfc4514_string()} is not a CA")
            ok = _signature_ok(cert, issuer)
            if ok is False:
                problems.append(f"bad signature on {cert.subject.rfc4514_string()}")
            elif ok is None:
                return TrustResult(
                    None, "a signature in the chain cannot be checked here", METHOD_REDUCED
                )
        top = path[-1]
        anchored_in: list[str] = []
        for ts in self.stores:
            if ts.contains(top):
                anchored_in.append(ts.name)
                continue
            for root in ts.by_subject(top.issuer):
                if _issues(root, top) and _signature_ok(top, root):
                    anchored_in.append(ts.name)
                    break
        if not anchored_in:
            if len(path) == 1 and _self_issued(top):
                problems.insert(0, "self-signed")
            else:
                problems.insert(0, "unknown issuer")
        if _self_issued(top) and top in path and _signature_ok(top, top) is False:
            problems.append("bad self-signature on the root")
        for i, cert in enumerate(path):
            state = _validity(cert, now)
            if state:
                problems.append(state if i == 0 else f"{state} {_role(i, cert, top)}")
        if hostname and not name_matches(path[0], hostname):
            problems.append("name mismatch")
        stores = tuple(
            (ts.name, "trusted" if ts.name in anchored_in and not problems else "not trusted")
            for ts in self.stores
            if ts.roots
        )
        if problems:
            return TrustResult(False, "; ".join(dict.fromkeys(problems)), METHOD_REDUCED, stores)
        note = "" if hostname else "name not checked (no hostname)"
        return TrustResult(True, note, METHOD_REDUCED, stores)


_FORBIDDEN = re.compile(r"Forbidden (public key|signature) algorithm.*?params: (\w+)")


def _readable(message: str) -> str:
    """cryptography's verification error, in words a user can act on."""
    found = _FORBIDDEN.search(message)
    if found:
        what, name = found.groups()
        return f"the Web PKI profile forbids the {what} algorithm {name}"
    if not message:
        return "invalid chain"
    return "invalid chain: " + message.removeprefix("validation failed: ")[:200]


def _role(i: int, cert: x509.Certificate, top: x509.Certificate) -> str:
    return "root" if cert is top and _self_issued(cert) else "intermediate"


def _path(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """The presented certificates that chain from the leaf, in order (extras dropped)."""
    path = [certs[0]]
    pool = list(certs[1:])
    while pool:
        current = path[-1]
        if _self_issued(current):
            break
        issuer = next((c for c in pool if _issues(c, current)), None)
        if issuer is None:
            break
        path.append(issuer)
        pool.remove(issuer)
    return path


def _subject(hostname: str) -> DNSName | IPAddress:
    try:
        return IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        return DNSName(hostname)
