"""An independent expectation table for the catalog.

Every row is written from the standards (RFCs, FIPS, NIST SP 800-57, IANA registries), not read
back from the rule data: if the data drifts, these rows fail. Each rule file has rows here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pqcscan.catalog import Catalog, Classification, QuantumStatus, get_catalog

BROKEN = QuantumStatus.CLASSICALLY_BROKEN
VULN = QuantumStatus.QUANTUM_VULNERABLE
WEAK = QuantumStatus.QUANTUM_WEAKENED
HYBRID = QuantumStatus.HYBRID
SAFE = QuantumStatus.QUANTUM_SAFE
UNKNOWN = QuantumStatus.UNKNOWN

#: (how, key, parameter given) -> a Classification
Lookup = Callable[[Catalog, str | int, str], Classification]

LOOKUPS: dict[str, Lookup] = {
    "name": lambda c, k, p: c.classify(str(k), p),
    "oid": lambda c, k, p: c.classify_oid(str(k), p),
    "tls-group": lambda c, k, p: c.classify_named("tls-group", k),
    "tls-sig": lambda c, k, p: c.classify_named("tls-signature-scheme", k),
    "ssh-kex": lambda c, k, p: c.classify_named("ssh-kex", k),
    "ssh-host-key": lambda c, k, p: c.classify_named("ssh-host-key", k),
    "ssh-cipher": lambda c, k, p: c.classify_named("ssh-cipher", k),
    "ssh-mac": lambda c, k, p: c.classify_named("ssh-mac", k),
    "ssh-compression": lambda c, k, p: c.classify_named("ssh-compression", k),
}

# (how, key, given parameter, algorithm, parameter, status, classical bits, NIST category)
# bits / category None means "not checked" for that row.
Row = tuple[str, str | int, str, str, str, QuantumStatus, int | None, int | None]

ROWS: list[Row] = [
    # --- algorithms/asymmetric.yaml (SP 800-57 Pt1 Rev5 Table 2) ---------------------------
    ("name", "RSA", "512", "RSA", "512", BROKEN, 56, None),
    ("name", "RSA", "1024", "RSA", "1024", BROKEN, 80, None),
    # protocol versions (RFC 8996 deprecates TLS 1.0/1.1; ML-KEM groups exist for TLS 1.3 only)
    ("name", "TLS", "1.0", "TLS", "1.0", BROKEN, None, None),
    ("name", "TLS", "TLSv1.1", "TLS", "1.1", BROKEN, None, None),
    ("name", "TLS", "1.2", "TLS", "1.2", VULN, None, None),
    ("name", "TLS", "1.3", "TLS", "1.3", SAFE, None, None),
    ("name", "SSL", "3.0", "SSL", "3.0", BROKEN, 0, None),
    ("name", "SSH", "2.0", "SSH", "2.0", SAFE, None, None),
    ("name", "SSH", "1.99", "SSH", "2.0", SAFE, None, None),
    ("name", "SSH", "3.0", "SSH", "3.0", UNKNOWN, None, None),
    ("name", "TLS", "1.4", "TLS", "1.4", UNKNOWN, None, None),
    ("name", "RSA", "2048", "RSA", "2048", VULN, 112, None),
    ("name", "RSA", "3072", "RSA", "3072", VULN, 128, None),
    ("name", "RSA", "4096", "RSA", "4096", VULN, 128, None),
    ("name", "RSA", "7680", "RSA", "7680", VULN, 192, None),
    ("name", "RSA", "15360", "RSA", "15360", VULN, 256, None),
    ("name", "RSA-2048", "", "RSA", "2048", VULN, 112, None),
    ("name", "DSA", "1024", "DSA", "1024", BROKEN, 80, None),
    ("name", "DSA", "2048", "DSA", "2048", VULN, 112, None),
    ("name", "DH", "ffdhe2048", "DH", "ffdhe2048", VULN, 112, None),
    ("name", "DH", "ffdhe3072", "DH", "ffdhe3072", VULN, 128, None),
    ("name", "DH", "ffdhe8192", "DH", "ffdhe8192", VULN, 200, None),
    ("name", "DH", "1024", "DH", "1024", BROKEN, 80, None),
    ("name", "DHE", "4096", "DH", "4096", VULN, 128, None),
    ("name", "ECDSA", "P-256", "ECDSA", "P-256", VULN, 128, None),
    ("name", "ECDSA", "secp384r1", "ECDSA", "P-384", VULN, 192, None),
    ("name", "ECDSA", "P-521", "ECDSA", "P-521", VULN, 256, None),
    ("name", "ECDSA", "P-224", "ECDSA", "P-224", VULN, 112, None),
    ("name", "ECDSA", "P-192", "ECDSA", "P-192", BROKEN, 80, None),
    ("name", "ECDSA", "secp256k1", "ECDSA", "secp256k1", VULN, 128, None),
    ("name", "ECDSA", "brainpoolP512r1", "ECDSA", "brainpoolP512r1", VULN, 256, None),
    ("name", "ECDH", "sect163k1", "ECDH", "sect163k1", BROKEN, 80, None),
    ("name", "ECDH", "secp160r1", "ECDH", "secp160r1", BROKEN, 80, None),
    ("name", "ECDHE", "prime256v1", "ECDH", "P-256", VULN, 128, None),
    ("name", "Ed25519", "", "Ed25519", "", VULN, 128, None),
    ("name", "Ed448", "", "Ed448", "", VULN, 224, None),
    ("name", "X25519", "", "X25519", "", VULN, 128, None),
    ("name", "SM2", "", "SM2", "", VULN, 128, None),
    ("name", "GOST R 34.10-2012", "512", "GOST-R-34.10-2012", "512", VULN, 256, None),
    ("name", "KEA", "", "KEA", "", BROKEN, 80, None),
    ("name", "RSA key transport", "2048", "RSAES-PKCS1-v1_5", "2048", VULN, 112, None),
    # --- algorithms/symmetric.yaml ------------------------------------------------------------
    ("name", "AES", "128", "AES", "128", WEAK, 128, 1),
    ("name", "AES", "192", "AES", "192", WEAK, 192, 3),
    ("name", "AES", "256", "AES", "256", SAFE, 256, 5),
    ("name", "AES-256", "", "AES", "256", SAFE, 256, 5),
    ("name", "3DES", "168", "3DES", "168", BROKEN, 112, None),
    ("name", "TDEA", "2TDEA", "3DES", "112", BROKEN, 80, None),
    ("name", "DES", "", "DES", "", BROKEN, 56, None),
    ("name", "RC4", "128", "RC4", "128", BROKEN, 128, None),
    ("name", "ARCFOUR", "", "RC4", "", BROKEN, None, None),
    ("name", "RC2", "40", "RC2", "40", BROKEN, 40, None),
    ("name", "IDEA", "", "IDEA", "", BROKEN, None, None),
    ("name", "Blowfish", "", "Blowfish", "", BROKEN, None, None),
    ("name", "CAST5", "", "CAST-128", "", BROKEN, None, None),
    ("name", "SEED", "", "SEED", "", WEAK, 128, None),
    ("name", "Camellia", "128", "Camellia", "128", WEAK, 128, 1),
    ("name", "Camellia", "256", "Camellia", "256", SAFE, 256, 5),
    ("name", "ARIA", "256", "ARIA", "256", SAFE, 256, 5),
    ("name", "ARIA", "128", "ARIA", "128", WEAK, 128, 1),
    ("name", "SM4", "", "SM4", "", WEAK, 128, None),
    ("name", "ChaCha20", "", "ChaCha20", "", SAFE, 256, 5),
    ("name", "ChaCha20-Poly1305", "", "ChaCha20-Poly1305", "", SAFE, 256, 5),
    ("name", "Kuznyechik", "", "Kuznyechik", "", SAFE, 256, None),
    ("name", "Magma", "", "Magma", "", WEAK, None, None),
    ("name", "GOST 28147-89", "", "GOST-28147-89", "", BROKEN, None, None),
    ("name", "NULL", "", "NULL", "", BROKEN, None, None),
    ("name", "AEGIS-128L", "", "AEGIS", "128L", WEAK, 128, 1),
    # OpenSSL cipher names (PEM DEK-Info): the mode suffix is dropped
    ("name", "AES-256-CBC", "", "AES", "256", SAFE, 256, 5),
    ("name", "DES-EDE3-CBC", "", "3DES", "", BROKEN, 112, None),
    ("name", "RC2-40-CBC", "", "RC2", "40", BROKEN, 40, None),
    ("name", "CAMELLIA-128-CBC", "", "Camellia", "128", WEAK, 128, 1),
    # --- algorithms/hash.yaml -----------------------------------------------------------------
    ("name", "MD2", "", "MD2", "", BROKEN, None, None),
    ("name", "MD4", "", "MD4", "", BROKEN, None, None),
    ("name", "MD5", "", "MD5", "", BROKEN, None, None),
    ("name", "SHA1", "", "SHA-1", "", BROKEN, None, None),
    ("name", "SHA-224", "", "SHA-224", "", WEAK, 112, None),
    ("name", "SHA256", "", "SHA-256", "", WEAK, 128, 2),
    ("name", "SHA-384", "", "SHA-384", "", SAFE, 192, 4),
    ("name", "SHA-512", "", "SHA-512", "", SAFE, 256, 5),
    ("name", "SHA-512/224", "", "SHA-512/224", "", WEAK, 112, None),
    ("name", "SHA-512/256", "", "SHA-512/256", "", WEAK, 128, None),
    ("name", "SHA3-256", "", "SHA3-256", "", WEAK, 128, None),
    ("name", "SHA3-512", "", "SHA3-512", "", SAFE, 256, None),
    ("name", "SHAKE256", "", "SHAKE256", "", SAFE, None, None),
    ("name", "SHAKE128", "", "SHAKE128", "", WEAK, None, None),
    ("name", "RIPEMD-160", "", "RIPEMD-160", "", BROKEN, 80, None),
    ("name", "SM3", "", "SM3", "", WEAK, 128, None),
    ("name", "Streebog-512", "", "Streebog-512", "", SAFE, 256, None),
    # --- algorithms/mac.yaml ------------------------------------------------------------------
    ("name", "HMAC-SHA1", "", "HMAC-SHA1", "", WEAK, None, None),
    ("name", "HMAC-MD5", "", "HMAC-MD5", "", BROKEN, None, None),
    ("name", "HMAC-SHA256", "", "HMAC-SHA256", "", WEAK, None, None),
    ("name", "HMAC-SHA512", "", "HMAC-SHA512", "", SAFE, None, None),
    ("name", "Poly1305", "", "Poly1305", "", SAFE, None, None),
    ("name", "UMAC-128", "", "UMAC-128", "", WEAK, None, None),
    ("name", "KMAC256", "", "KMAC256", "", SAFE, None, None),
    # --- algorithms/kdf.yaml ------------------------------------------------------------------
    ("name", "bcrypt", "", "bcrypt-pbkdf", "", WEAK, None, None),
    ("name", "bcrypt-pbkdf", "", "bcrypt-pbkdf", "", WEAK, None, None),
    ("name", "PBKDF2", "", "PBKDF2", "", WEAK, None, None),
    ("name", "scrypt", "", "scrypt", "", WEAK, None, None),
    ("name", "HKDF", "SHA-384", "HKDF", "SHA-384", SAFE, None, None),
    ("name", "TLS-PRF", "MD5-SHA1", "TLS-PRF", "MD5-SHA1", BROKEN, None, None),
    ("name", "PBEWithMD5AndTripleDES", "", "PBEWithMD5AndTripleDES", "", BROKEN, None, None),
    # Java standard algorithm names (JCEKS secret keys, keystore protection)
    ("name", "HmacSHA256", "", "HMAC-SHA256", "", WEAK, None, None),
    ("name", "DESede", "168", "3DES", "168", BROKEN, 112, None),
    ("name", "PBEWithSHA1AndRC4_40", "", "RC4", "", BROKEN, None, None),
    ("name", "PBKDF2WithHmacSHA256", "", "PBKDF2", "", WEAK, None, None),
    # --- algorithms/protocol.yaml -------------------------------------------------------------
    ("name", "PSK", "", "PSK", "", WEAK, None, None),
    ("name", "anon", "", "anon", "", BROKEN, None, None),
    ("name", "Kerberos", "", "KRB5", "", WEAK, None, None),
    # --- algorithms/pqc.yaml (FIPS 203/204/205, draft FIPS 206, SP 800-208, HQC) --------------
    ("name", "ML-KEM-512", "", "ML-KEM-512", "", SAFE, None, 1),
    ("name", "MLKEM1024", "", "ML-KEM-1024", "", SAFE, None, 5),
    ("name", "ML-DSA-44", "", "ML-DSA-44", "", SAFE, None, 2),
    ("name", "ML-DSA-87", "", "ML-DSA-87", "", SAFE, None, 5),
    ("name", "SLH-DSA-SHA2-128s", "", "SLH-DSA-SHA2-128s", "", SAFE, None, 1),
    ("name", "SLH-DSA-SHAKE-192f", "", "SLH-DSA-SHAKE-192f", "", SAFE, None, 3),
    ("name", "SLH-DSA-SHAKE-256s", "", "SLH-DSA-SHAKE-256s", "", SAFE, None, 5),
    ("name", "FN-DSA-512", "", "FN-DSA-512", "", SAFE, None, 1),
    ("name", "FN-DSA-1024", "", "FN-DSA-1024", "", SAFE, None, 5),
    ("name", "HQC-128", "", "HQC-128", "", SAFE, None, 1),
    ("name", "HQC-192", "", "HQC-192", "", SAFE, None, 3),
    ("name", "HQC-256", "", "HQC-256", "", SAFE, None, 5),
    ("name", "HSS", "", "LMS", "", SAFE, None, None),
    ("name", "XMSS^MT", "", "XMSS", "", SAFE, None, None),
    # --- algorithms/pqc_other.yaml ------------------------------------------------------------
    ("name", "Kyber768", "", "Kyber768", "", SAFE, None, 3),
    ("name", "Dilithium2", "", "Dilithium2", "", SAFE, None, 2),
    ("name", "Falcon-512", "", "Falcon-512", "", SAFE, None, 1),
    ("name", "sntrup761", "", "sntrup761", "", SAFE, None, None),
    ("name", "FrodoKEM-976", "", "FrodoKEM-976", "", SAFE, None, 3),
    ("name", "Classic-McEliece-348864", "", "Classic-McEliece-348864", "", SAFE, None, 1),
    ("name", "BIKE-L1", "", "BIKE-L1", "", SAFE, None, 1),
    ("name", "SIKE", "", "SIKE", "", BROKEN, None, None),
    ("name", "Rainbow", "", "Rainbow", "", BROKEN, None, None),
    # --- algorithms/hybrid.yaml ---------------------------------------------------------------
    ("name", "X25519MLKEM768", "", "X25519MLKEM768", "", HYBRID, None, 3),
    ("name", "SecP384r1MLKEM1024", "", "SecP384r1MLKEM1024", "", HYBRID, None, 5),
    ("name", "MLDSA87-ECDSA-P521-SHA512", "", "MLDSA87-ECDSA-P521-SHA512", "", HYBRID, None, 5),
    # --- algorithms/pseudo.yaml ---------------------------------------------------------------
    ("name", "<implicit>", "", "AEAD-integrity", "", UNKNOWN, None, None),
    ("name", "SCSV", "", "TLS-SCSV", "", UNKNOWN, None, None),
    # --- identifiers/oids_pkix.yaml -----------------------------------------------------------
    ("oid", "1.2.840.113549.1.1.1", "3072", "RSA", "3072", VULN, 128, None),
    ("oid", "1.2.840.113549.1.1.1", "1024", "RSA", "1024", BROKEN, 80, None),
    ("oid", "1.2.840.113549.1.1.10", "", "RSASSA-PSS", "", VULN, None, None),
    ("oid", "1.2.840.113549.1.1.11", "2048", "RSA", "2048", VULN, 112, None),
    ("oid", "1.2.840.10045.2.1", "P-256", "ECDSA", "P-256", VULN, 128, None),
    ("oid", "1.2.840.10045.4.3.3", "", "ECDSA", "", VULN, None, None),
    ("oid", "1.2.840.10040.4.1", "", "DSA", "", VULN, None, None),
    ("oid", "1.2.840.10046.2.1", "", "DH", "", VULN, None, None),
    ("oid", "1.3.101.110", "", "X25519", "", VULN, 128, None),
    ("oid", "1.3.101.112", "", "Ed25519", "", VULN, 128, None),
    ("oid", "1.3.101.113", "", "Ed448", "", VULN, 224, None),
    ("oid", "1.2.156.10197.1.501", "", "SM2", "", VULN, None, None),
    ("oid", "1.2.643.7.1.1.1.1", "", "GOST-R-34.10-2012", "256", VULN, 128, None),
    ("oid", "2.16.840.1.101.2.1.1.22", "", "KEA", "", BROKEN, None, None),
    # --- identifiers/oids_pqc.yaml (NIST CSOR) ------------------------------------------------
    ("oid", "2.16.840.1.101.3.4.3.17", "", "ML-DSA-44", "", SAFE, None, 2),
    ("oid", "2.16.840.1.101.3.4.3.18", "", "ML-DSA-65", "", SAFE, None, 3),
    ("oid", "2.16.840.1.101.3.4.3.19", "", "ML-DSA-87", "", SAFE, None, 5),
    ("oid", "2.16.840.1.101.3.4.3.20", "", "SLH-DSA-SHA2-128s", "", SAFE, None, 1),
    ("oid", "2.16.840.1.101.3.4.3.25", "", "SLH-DSA-SHA2-256f", "", SAFE, None, 5),
    ("oid", "2.16.840.1.101.3.4.3.26", "", "SLH-DSA-SHAKE-128s", "", SAFE, None, 1),
    ("oid", "2.16.840.1.101.3.4.3.31", "", "SLH-DSA-SHAKE-256f", "", SAFE, None, 5),
    ("oid", "2.16.840.1.101.3.4.3.32", "", "HashML-DSA-44", "", SAFE, None, 2),
    ("oid", "2.16.840.1.101.3.4.3.34", "", "HashML-DSA-87", "", SAFE, None, 5),
    ("oid", "2.16.840.1.101.3.4.3.35", "", "HashSLH-DSA-SHA2-128s", "", SAFE, None, 1),
    ("oid", "2.16.840.1.101.3.4.3.46", "", "HashSLH-DSA-SHAKE-256f", "", SAFE, None, 5),
    ("oid", "2.16.840.1.101.3.4.4.1", "", "ML-KEM-512", "", SAFE, None, 1),
    ("oid", "2.16.840.1.101.3.4.4.2", "", "ML-KEM-768", "", SAFE, None, 3),
    ("oid", "2.16.840.1.101.3.4.4.3", "", "ML-KEM-1024", "", SAFE, None, 5),
    ("oid", "1.2.840.113549.1.9.16.3.17", "", "LMS", "", SAFE, None, None),
    ("oid", "1.3.6.1.5.5.7.6.34", "", "XMSS", "", SAFE, None, None),
    # --- identifiers/oids_composite.yaml ------------------------------------------------------
    ("oid", "1.3.6.1.5.5.7.6.37", "", "MLDSA44-RSA2048-PSS-SHA256", "", HYBRID, None, 2),
    ("oid", "1.3.6.1.5.5.7.6.39", "", "MLDSA44-Ed25519-SHA512", "", HYBRID, None, 2),
    ("oid", "1.3.6.1.5.5.7.6.48", "", "MLDSA65-Ed25519-SHA512", "", HYBRID, None, 3),
    ("oid", "1.3.6.1.5.5.7.6.54", "", "MLDSA87-ECDSA-P521-SHA512", "", HYBRID, None, 5),
    ("oid", "1.3.6.1.5.5.7.6.58", "", "MLKEM768-X25519-SHA3-256", "", HYBRID, None, 3),
    ("oid", "1.3.6.1.5.5.7.6.66", "", "MLKEM1024-ECDH-P521-SHA3-256", "", HYBRID, None, 5),
    # --- identifiers/oids_oqs.yaml ------------------------------------------------------------
    ("oid", "1.3.6.1.4.1.2.267.7.4.4", "", "Dilithium2", "", SAFE, None, 2),
    ("oid", "1.3.6.1.4.1.2.267.7.8.7", "", "Dilithium5", "", SAFE, None, 5),
    ("oid", "1.3.9999.3.6", "", "Falcon-512", "", SAFE, None, 1),
    ("oid", "1.3.9999.3.9", "", "Falcon-1024", "", SAFE, None, 5),
    ("oid", "1.3.9999.6.4.13", "", "SPHINCS+-SHA2-128f-simple", "", SAFE, None, 1),
    ("oid", "1.3.9999.2.7.1", "", "p256_dilithium2", "", HYBRID, None, None),
    # --- identifiers/oids_hash_mac.yaml -------------------------------------------------------
    ("oid", "1.3.14.3.2.26", "", "SHA-1", "", BROKEN, None, None),
    ("oid", "2.16.840.1.101.3.4.2.1", "", "SHA-256", "", WEAK, None, None),
    ("oid", "2.16.840.1.101.3.4.2.2", "", "SHA-384", "", SAFE, None, None),
    ("oid", "2.16.840.1.101.3.4.2.3", "", "SHA-512", "", SAFE, None, None),
    ("oid", "2.16.840.1.101.3.4.2.4", "", "SHA-224", "", WEAK, None, None),
    ("oid", "2.16.840.1.101.3.4.2.10", "", "SHA3-512", "", SAFE, None, None),
    ("oid", "1.2.840.113549.2.5", "", "MD5", "", BROKEN, None, None),
    ("oid", "1.2.840.113549.2.7", "", "HMAC-SHA1", "", WEAK, None, None),
    ("oid", "1.2.840.113549.2.8", "", "HMAC-SHA224", "", WEAK, None, None),
    ("oid", "1.2.840.113549.2.9", "", "HMAC-SHA256", "", WEAK, None, None),
    ("oid", "1.2.840.113549.2.10", "", "HMAC-SHA384", "", SAFE, None, None),
    ("oid", "1.2.840.113549.2.11", "", "HMAC-SHA512", "", SAFE, None, None),
    ("oid", "1.2.840.113549.2.13", "", "HMAC-SHA512-256", "", WEAK, None, None),
    # --- identifiers/oids_symmetric.yaml ------------------------------------------------------
    ("oid", "2.16.840.1.101.3.4.1.2", "", "AES", "128", WEAK, 128, 1),
    ("oid", "2.16.840.1.101.3.4.1.22", "", "AES", "192", WEAK, 192, 3),
    ("oid", "2.16.840.1.101.3.4.1.42", "", "AES", "256", SAFE, 256, 5),
    ("oid", "2.16.840.1.101.3.4.1.46", "", "AES", "256", SAFE, 256, 5),
    ("oid", "2.16.840.1.101.3.4.1.5", "", "AES", "128", WEAK, 128, 1),
    ("oid", "1.2.840.113549.3.7", "", "3DES", "168", BROKEN, 112, None),
    ("oid", "1.3.14.3.2.7", "", "DES", "56", BROKEN, 56, None),
    ("oid", "1.2.840.113549.3.2", "", "RC2", "", BROKEN, None, None),
    ("oid", "1.2.840.113549.1.9.16.3.18", "", "ChaCha20-Poly1305", "", SAFE, None, None),
    # --- identifiers/oids_pbe.yaml ------------------------------------------------------------
    ("oid", "1.2.840.113549.1.5.13", "", "PBES2", "", WEAK, None, None),
    ("oid", "1.2.840.113549.1.5.12", "", "PBKDF2", "", WEAK, None, None),
    ("oid", "1.3.6.1.4.1.11591.4.11", "", "scrypt", "", WEAK, None, None),
    ("oid", "1.2.840.113549.1.5.1", "", "DES", "56", BROKEN, None, None),
    ("oid", "1.2.840.113549.1.5.3", "", "DES", "56", BROKEN, None, None),
    ("oid", "1.2.840.113549.1.5.4", "", "RC2", "64", BROKEN, 64, None),
    ("oid", "1.2.840.113549.1.5.6", "", "RC2", "64", BROKEN, 64, None),
    ("oid", "1.2.840.113549.1.5.10", "", "DES", "56", BROKEN, None, None),
    ("oid", "1.2.840.113549.1.5.11", "", "RC2", "64", BROKEN, 64, None),
    ("oid", "1.2.840.113549.1.12.1.1", "", "RC4", "128", BROKEN, None, None),
    ("oid", "1.2.840.113549.1.12.1.2", "", "RC4", "40", BROKEN, 40, None),
    ("oid", "1.2.840.113549.1.12.1.3", "", "3DES", "168", BROKEN, 112, None),
    ("oid", "1.2.840.113549.1.12.1.4", "", "3DES", "112", BROKEN, 80, None),
    ("oid", "1.2.840.113549.1.12.1.5", "", "RC2", "128", BROKEN, None, None),
    ("oid", "1.2.840.113549.1.12.1.6", "", "RC2", "40", BROKEN, 40, None),
    ("oid", "1.3.6.1.4.1.42.2.17.1.1", "", "JKS-KeyProtector", "", BROKEN, None, None),
    ("oid", "1.3.6.1.4.1.42.2.19.1", "", "PBEWithMD5AndTripleDES", "", BROKEN, None, None),
    # --- identifiers/tls_groups.yaml ----------------------------------------------------------
    ("tls-group", 0x0017, "", "ECDH", "P-256", VULN, 128, None),
    ("tls-group", 0x0018, "", "ECDH", "P-384", VULN, 192, None),
    ("tls-group", 0x0019, "", "ECDH", "P-521", VULN, 256, None),
    ("tls-group", 0x001D, "", "X25519", "", VULN, 128, None),
    ("tls-group", 0x001E, "", "X448", "", VULN, 224, None),
    ("tls-group", 0x0013, "", "ECDH", "P-192", BROKEN, 80, None),
    ("tls-group", 0x0001, "", "ECDH", "sect163k1", BROKEN, 80, None),
    ("tls-group", 0x001F, "", "ECDH", "brainpoolP256r1", VULN, 128, None),
    ("tls-group", 0x0022, "", "GOST-R-34.10-2012", "256", VULN, 128, None),
    ("tls-group", 0x0028, "", "GOST-R-34.10-2012", "512", VULN, 256, None),
    ("tls-group", 0x0029, "", "SM2", "curveSM2", VULN, 128, None),
    ("tls-group", 0x0100, "", "DH", "ffdhe2048", VULN, 112, None),
    ("tls-group", 0x0104, "", "DH", "ffdhe8192", VULN, 200, None),
    ("tls-group", 0x0200, "", "ML-KEM-512", "", SAFE, None, 1),
    ("tls-group", 0x0201, "", "ML-KEM-768", "", SAFE, None, 3),
    ("tls-group", 0x0202, "", "ML-KEM-1024", "", SAFE, None, 5),
    ("tls-group", 0x11EB, "", "SecP256r1MLKEM768", "", HYBRID, None, 3),
    ("tls-group", 0x11EC, "", "X25519MLKEM768", "", HYBRID, None, 3),
    ("tls-group", 0x11ED, "", "SecP384r1MLKEM1024", "", HYBRID, None, 5),
    ("tls-group", 0x11EE, "", "curveSM2MLKEM768", "", HYBRID, None, 3),
    ("tls-group", 0x6399, "", "X25519Kyber768Draft00", "", HYBRID, None, 3),
    ("tls-group", 0x639A, "", "SecP256r1Kyber768Draft00", "", HYBRID, None, 3),
    ("tls-group", "X25519MLKEM768", "", "X25519MLKEM768", "", HYBRID, None, 3),
    ("tls-group", 0xFF01, "", "ECDH", "explicit-prime", VULN, None, None),
    # --- identifiers/tls_signature_schemes.yaml ----------------------------------------------
    ("tls-sig", 0x0401, "", "RSA", "", VULN, None, None),
    ("tls-sig", 0x0403, "", "ECDSA", "P-256", VULN, 128, None),
    ("tls-sig", 0x0503, "", "ECDSA", "P-384", VULN, 192, None),
    ("tls-sig", 0x0804, "", "RSASSA-PSS", "", VULN, None, None),
    ("tls-sig", 0x0809, "", "RSASSA-PSS", "", VULN, None, None),
    ("tls-sig", 0x0807, "", "Ed25519", "", VULN, 128, None),
    ("tls-sig", 0x0808, "", "Ed448", "", VULN, 224, None),
    ("tls-sig", 0x081B, "", "ECDSA", "brainpoolP384r1", VULN, 192, None),
    ("tls-sig", 0x0708, "", "SM2", "curveSM2", VULN, 128, None),
    ("tls-sig", 0x0709, "", "GOST-R-34.10-2012", "256", VULN, 128, None),
    ("tls-sig", 0x070D, "", "GOST-R-34.10-2012", "512", VULN, 256, None),
    ("tls-sig", 0x0904, "", "ML-DSA-44", "", SAFE, None, 2),
    ("tls-sig", 0x0905, "", "ML-DSA-65", "", SAFE, None, 3),
    ("tls-sig", 0x0906, "", "ML-DSA-87", "", SAFE, None, 5),
    ("tls-sig", "mldsa65", "", "ML-DSA-65", "", SAFE, None, 3),
    # --- identifiers/ssh_kex.yaml -------------------------------------------------------------
    ("ssh-kex", "diffie-hellman-group1-sha1", "", "DH", "modp1024", BROKEN, 80, None),
    ("ssh-kex", "diffie-hellman-group14-sha1", "", "DH", "modp2048", VULN, 112, None),
    ("ssh-kex", "diffie-hellman-group14-sha256", "", "DH", "modp2048", VULN, 112, None),
    ("ssh-kex", "diffie-hellman-group16-sha512", "", "DH", "modp4096", VULN, None, None),
    ("ssh-kex", "diffie-hellman-group18-sha512", "", "DH", "modp8192", VULN, None, None),
    ("ssh-kex", "diffie-hellman-group-exchange-sha256", "", "DH", "", VULN, None, None),
    ("ssh-kex", "ecdh-sha2-nistp256", "", "ECDH", "P-256", VULN, 128, None),
    ("ssh-kex", "ecdh-sha2-nistp521", "", "ECDH", "P-521", VULN, 256, None),
    ("ssh-kex", "curve25519-sha256", "", "X25519", "", VULN, 128, None),
    ("ssh-kex", "curve25519-sha256@libssh.org", "", "X25519", "", VULN, 128, None),
    ("ssh-kex", "sntrup761x25519-sha512", "", "sntrup761x25519", "", HYBRID, None, None),
    (
        "ssh-kex",
        "sntrup761x25519-sha512@openssh.com",
        "",
        "sntrup761x25519",
        "",
        HYBRID,
        None,
        None,
    ),
    ("ssh-kex", "mlkem768x25519-sha256", "", "X25519MLKEM768", "", HYBRID, None, 3),
    ("ssh-kex", "mlkem768nistp256-sha256", "", "SecP256r1MLKEM768", "", HYBRID, None, 3),
    ("ssh-kex", "mlkem1024nistp384-sha384", "", "SecP384r1MLKEM1024", "", HYBRID, None, 5),
    ("ssh-kex", "ext-info-c", "", "SSH-extension-signal", "", UNKNOWN, None, None),
    (
        "ssh-kex",
        "kex-strict-s-v00@openssh.com",
        "",
        "SSH-extension-signal",
        "",
        UNKNOWN,
        None,
        None,
    ),
    ("ssh-kex", "gss-gex-sha1-toWM5Slw5Ew8Mqkay+al2g==", "", "DH", "", VULN, None, None),
    ("ssh-kex", "rsa1024-sha1", "", "RSAES-OAEP", "1024", BROKEN, 80, None),
    # --- identifiers/ssh_host_key.yaml --------------------------------------------------------
    ("ssh-host-key", "ssh-rsa", "", "RSA", "", VULN, None, None),
    ("ssh-host-key", "rsa-sha2-512", "", "RSA", "", VULN, None, None),
    ("ssh-host-key", "ssh-dss", "", "DSA", "1024", BROKEN, 80, None),
    ("ssh-host-key", "ecdsa-sha2-nistp384", "", "ECDSA", "P-384", VULN, 192, None),
    ("ssh-host-key", "ssh-ed25519", "", "Ed25519", "", VULN, 128, None),
    ("ssh-host-key", "ssh-ed448", "", "Ed448", "", VULN, 224, None),
    ("ssh-host-key", "sk-ecdsa-sha2-nistp256@openssh.com", "", "ECDSA", "P-256", VULN, 128, None),
    ("ssh-host-key", "sk-ssh-ed25519@openssh.com", "", "Ed25519", "", VULN, 128, None),
    ("ssh-host-key", "ssh-ed25519-cert-v01@openssh.com", "", "Ed25519", "", VULN, 128, None),
    ("ssh-host-key", "rsa-sha2-256-cert-v01@openssh.com", "", "RSA", "", VULN, None, None),
    ("ssh-host-key", "x509v3-rsa2048-sha256", "", "RSA", "2048", VULN, 112, None),
    ("ssh-host-key", "ssh-mldsa-65", "", "ML-DSA-65", "", SAFE, None, 3),
    (
        "ssh-host-key",
        "ssh-mldsa44-ed25519@openssh.com",
        "",
        "ML-DSA-44+Ed25519",
        "",
        HYBRID,
        None,
        2,
    ),
    ("ssh-host-key", "ecdsa-sha2-1.3.132.0.10", "", "ECDSA", "", VULN, None, None),
    # --- identifiers/ssh_cipher.yaml ----------------------------------------------------------
    ("ssh-cipher", "aes256-ctr", "", "AES", "256", SAFE, 256, 5),
    ("ssh-cipher", "aes128-ctr", "", "AES", "128", WEAK, 128, 1),
    ("ssh-cipher", "aes256-gcm@openssh.com", "", "AES", "256", SAFE, 256, 5),
    ("ssh-cipher", "aes128-gcm@openssh.com", "", "AES", "128", WEAK, 128, 1),
    ("ssh-cipher", "chacha20-poly1305@openssh.com", "", "ChaCha20", "256", SAFE, 256, 5),
    ("ssh-cipher", "3des-cbc", "", "3DES", "168", BROKEN, 112, None),
    ("ssh-cipher", "blowfish-cbc", "", "Blowfish", "", BROKEN, None, None),
    ("ssh-cipher", "arcfour256", "", "RC4", "256", BROKEN, None, None),
    ("ssh-cipher", "cast128-cbc", "", "CAST-128", "", BROKEN, None, None),
    ("ssh-cipher", "rijndael-cbc@lysator.liu.se", "", "AES", "256", SAFE, 256, 5),
    ("ssh-cipher", "none", "", "NULL", "", BROKEN, None, None),
    # --- identifiers/ssh_mac.yaml -------------------------------------------------------------
    ("ssh-mac", "hmac-sha2-256-etm@openssh.com", "", "HMAC-SHA256", "", WEAK, None, None),
    ("ssh-mac", "hmac-sha2-512", "", "HMAC-SHA512", "", SAFE, None, None),
    ("ssh-mac", "hmac-sha1", "", "HMAC-SHA1", "", WEAK, None, None),
    ("ssh-mac", "hmac-md5-96", "", "HMAC-MD5", "96", BROKEN, None, None),
    ("ssh-mac", "umac-64-etm@openssh.com", "", "UMAC-64", "", WEAK, None, None),
    ("ssh-mac", "umac-128@openssh.com", "", "UMAC-128", "", WEAK, None, None),
    ("ssh-mac", "hmac-ripemd160", "", "HMAC-RIPEMD160", "", WEAK, None, None),
    ("ssh-mac", "none", "", "NULL", "", BROKEN, None, None),
    # --- identifiers/ssh_compression.yaml -----------------------------------------------------
    ("ssh-compression", "none", "", "no-compression", "", UNKNOWN, None, None),
    ("ssh-compression", "zlib", "", "zlib", "", UNKNOWN, None, None),
    ("ssh-compression", "zlib@openssh.com", "", "zlib", "", UNKNOWN, None, None),
]


def _row_id(row: Row) -> str:
    how, key, given = row[0], row[1], row[2]
    shown = f"0x{key:04X}" if isinstance(key, int) else key
    return f"{how}:{shown}" + (f"/{given}" if given else "")


def test_the_table_is_large_enough() -> None:
    assert len(ROWS) >= 120
    assert len({_row_id(r) for r in ROWS}) == len(ROWS), "duplicate rows"


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(r) for r in ROWS])
def test_expected_classification(row: Row) -> None:
    how, key, given, algorithm, parameter, status, bits, category = row
    got = LOOKUPS[how](get_catalog(), key, given)
    assert (got.algorithm, got.parameter, got.status) == (algorithm, parameter, status)
    if bits is not None:
        assert got.classical_bits == bits
    if category is not None:
        assert got.nist_category == category
    # Unknown means pseudo-algorithm, except for protocol versions the catalog does not know.
    assert got.pseudo == (status is UNKNOWN and algorithm not in ("SSL", "TLS", "SSH"))


# (code, key exchange, authentication, cipher (algorithm, bits, mode), mac, TLS 1.3, recommended)
Suite = tuple[int, str | None, str | None, tuple[str, str, str], str, bool, bool]

SUITES: list[Suite] = [
    (0x0000, "NULL", "NULL", ("NULL", "", ""), "NULL", False, False),
    (0x0001, "RSAES-PKCS1-v1_5", "RSA", ("NULL", "", ""), "HMAC-MD5", False, False),
    (0x0003, "RSAES-PKCS1-v1_5", "RSA", ("RC4", "40", "STREAM"), "HMAC-MD5", False, False),
    (0x0005, "RSAES-PKCS1-v1_5", "RSA", ("RC4", "128", "STREAM"), "HMAC-SHA1", False, False),
    (0x000A, "RSAES-PKCS1-v1_5", "RSA", ("3DES", "168", "CBC"), "HMAC-SHA1", False, False),
    (0x0013, "DH", "DSA", ("3DES", "168", "CBC"), "HMAC-SHA1", False, False),
    (0x0018, "DH", "anon", ("RC4", "128", "STREAM"), "HMAC-MD5", False, False),
    (0x0020, "KRB5", "KRB5", ("RC4", "128", "STREAM"), "HMAC-SHA1", False, False),
    (0x002F, "RSAES-PKCS1-v1_5", "RSA", ("AES", "128", "CBC"), "HMAC-SHA1", False, False),
    (0x0039, "DH", "RSA", ("AES", "256", "CBC"), "HMAC-SHA1", False, False),
    (0x0041, "RSAES-PKCS1-v1_5", "RSA", ("Camellia", "128", "CBC"), "HMAC-SHA1", False, False),
    (0x008C, "PSK", "PSK", ("AES", "128", "CBC"), "HMAC-SHA1", False, False),
    (0x0096, "RSAES-PKCS1-v1_5", "RSA", ("SEED", "128", "CBC"), "HMAC-SHA1", False, False),
    (0x009E, "DH", "RSA", ("AES", "128", "GCM"), "HMAC-SHA256", False, True),
    (0x00AB, "DH", "PSK", ("AES", "256", "GCM"), "HMAC-SHA384", False, True),
    (0x00C6, None, None, ("SM4", "128", "GCM"), "HMAC-SM3", True, False),
    (0x1301, None, None, ("AES", "128", "GCM"), "HMAC-SHA256", True, True),
    (0x1302, None, None, ("AES", "256", "GCM"), "HMAC-SHA384", True, True),
    (0x1303, None, None, ("ChaCha20", "256", "CHACHA20-POLY1305"), "HMAC-SHA256", True, True),
    (0x1304, None, None, ("AES", "128", "CCM"), "HMAC-SHA256", True, True),
    (0x1305, None, None, ("AES", "128", "CCM_8"), "HMAC-SHA256", True, False),
    (0x1306, None, None, ("AEGIS", "256", "AEAD"), "HMAC-SHA512", True, False),
    (0x1307, None, None, ("AEGIS", "128L", "AEAD"), "HMAC-SHA256", True, False),
    (0xC009, "ECDH", "ECDSA", ("AES", "128", "CBC"), "HMAC-SHA1", False, False),
    (0xC01D, "SRP", "SRP", ("AES", "128", "CBC"), "HMAC-SHA1", False, False),
    (0xC02B, "ECDH", "ECDSA", ("AES", "128", "GCM"), "HMAC-SHA256", False, True),
    (0xC02F, "ECDH", "RSA", ("AES", "128", "GCM"), "HMAC-SHA256", False, True),
    (0xC030, "ECDH", "RSA", ("AES", "256", "GCM"), "HMAC-SHA384", False, True),
    (0xC05C, "ECDH", "ECDSA", ("ARIA", "128", "GCM"), "HMAC-SHA256", False, False),
    (0xC09C, "RSAES-PKCS1-v1_5", "RSA", ("AES", "128", "CCM"), "HMAC-SHA256", False, False),
    (0xC0AE, "ECDH", "ECDSA", ("AES", "128", "CCM_8"), "HMAC-SHA256", False, False),
    (0xC0B0, "ECCPWD", "ECCPWD", ("AES", "128", "GCM"), "HMAC-SHA256", False, False),
    (0xC0B4, None, None, ("NULL", "", "integrity-only"), "HMAC-SHA256", True, False),
    (0xC0B5, None, None, ("NULL", "", "integrity-only"), "HMAC-SHA384", True, False),
    (
        0xC100,
        "GOST-R-34.10-2012",
        "GOST-R-34.10-2012",
        ("Kuznyechik", "256", "CTR-ACPKM"),
        "Kuznyechik-OMAC",
        False,
        False,
    ),
    (0xC103, None, None, ("Kuznyechik", "256", "MGM-L"), "HMAC-Streebog-256", True, False),
    (0xCCA8, "ECDH", "RSA", ("ChaCha20", "256", "CHACHA20-POLY1305"), "HMAC-SHA256", False, True),
    (0xCCAC, "ECDH", "PSK", ("ChaCha20", "256", "CHACHA20-POLY1305"), "HMAC-SHA256", False, True),
    (0xD001, "ECDH", "PSK", ("AES", "128", "GCM"), "HMAC-SHA256", False, True),
]


@pytest.mark.parametrize("row", SUITES, ids=[f"0x{s[0]:04X}" for s in SUITES])
def test_cipher_suite_parts(row: Suite) -> None:
    code, kx, auth, (cipher, bits, mode), mac, tls13, recommended = row
    suite = get_catalog().cipher_suite(code)
    assert suite is not None
    assert (suite.key_exchange.algorithm if suite.key_exchange else None) == kx
    assert (suite.authentication.algorithm if suite.authentication else None) == auth
    assert suite.cipher is not None and suite.mac is not None
    assert (suite.cipher.algorithm, suite.cipher.parameter, suite.cipher.mode) == (
        cipher,
        bits,
        mode,
    )
    assert suite.mac.algorithm == mac
    assert (suite.tls13, suite.recommended) == (tls13, recommended)


def test_c02f_is_ecdhe_rsa_aes128_gcm_sha256_with_statuses() -> None:
    parts = dict(get_catalog().classify_suite(0xC02F) or ())
    assert parts["key_exchange"].algorithm == "ECDH"
    assert parts["key_exchange"].status is VULN
    assert parts["authentication"].algorithm == "RSA"
    assert (parts["cipher"].algorithm, parts["cipher"].parameter) == ("AES", "128")
    assert parts["cipher"].status is WEAK
    assert parts["mac"].algorithm == "HMAC-SHA256"
    assert get_catalog().cipher_suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") is (
        get_catalog().cipher_suite(0xC02F)
    )


def test_0005_rc4_is_classically_broken() -> None:
    parts = dict(get_catalog().classify_suite(0x0005) or ())
    assert (parts["cipher"].algorithm, parts["cipher"].parameter) == ("RC4", "128")
    assert parts["cipher"].status is BROKEN
    assert parts["mac"].algorithm == "HMAC-SHA1"
    assert get_catalog().worst(c.status for c in parts.values()) is BROKEN


def test_export_suites_carry_the_512_bit_limit() -> None:
    parts = dict(get_catalog().classify_suite("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA") or ())
    assert parts["key_exchange"].parameter == "512"
    assert parts["key_exchange"].status is BROKEN
    assert (parts["cipher"].algorithm, parts["cipher"].classical_bits) == ("DES", 40)


def test_renamed_suites_resolve_under_both_names() -> None:
    cat = get_catalog()
    assert cat.cipher_suite("TLS_AEGIS_256_SHA384") is cat.cipher_suite(0x1306)
    assert cat.cipher_suite("tls_dhe_psk_with_aes_128_ccm_8") is cat.cipher_suite(0xC0AA)


@pytest.mark.parametrize(
    ("name", "hash_"),
    [
        ("ssh-rsa", "SHA-1"),
        ("rsa-sha2-256", "SHA-256"),
        ("rsa-sha2-512", "SHA-512"),
        ("ecdsa-sha2-nistp521", "SHA-512"),
        ("ssh-rsa-cert-v01@openssh.com", "SHA-1"),
    ],
)
def test_ssh_host_key_signature_hash(name: str, hash_: str) -> None:
    item = get_catalog().named_identifier("ssh-host-key", name)
    assert item is not None and item.hash == hash_


def test_ssh_rsa_then_key_size() -> None:
    """The certificate collector looks up the key type, then classifies the size."""
    cat = get_catalog()
    base = cat.classify_named("ssh-host-key", "ssh-rsa")
    assert base.algorithm == "RSA"
    sized = cat.classify(base.algorithm, "3072", identifier=base.identifier)
    assert (sized.status, sized.classical_bits) == (VULN, 128)
    assert cat.classify(base.algorithm, "1024").status is BROKEN


@pytest.mark.parametrize(
    ("namespace", "name", "hash_"),
    [
        ("ssh-kex", "curve25519-sha256", "SHA-256"),
        ("ssh-kex", "diffie-hellman-group14-sha1", "SHA-1"),
        ("ssh-kex", "mlkem1024nistp384-sha384", "SHA-384"),
        ("ssh-kex", "sntrup761x25519-sha512@openssh.com", "SHA-512"),
        ("tls-signature-scheme", "rsa_pss_rsae_sha384", "SHA-384"),
        ("tls-signature-scheme", "sm2sig_sm3", "SM3"),
        ("tls-signature-scheme", "ecdsa_sha1", "SHA-1"),
    ],
)
def test_identifier_hash(namespace: str, name: str, hash_: str) -> None:
    item = get_catalog().named_identifier(namespace, name)
    assert item is not None and item.hash == hash_


@pytest.mark.parametrize(
    ("oid", "hash_"),
    [
        ("1.2.840.113549.1.1.5", "SHA-1"),
        ("1.2.840.113549.1.1.11", "SHA-256"),
        ("2.16.840.1.101.3.4.3.14", "SHA3-256"),
        ("1.2.840.10045.4.3.2", "SHA-256"),
        ("2.16.840.1.101.3.4.3.10", "SHA3-256"),
        ("2.16.840.1.101.3.4.3.2", "SHA-256"),
        ("1.2.156.10197.1.501", "SM3"),
        ("1.2.643.7.1.1.3.2", "Streebog-256"),
        ("2.16.840.1.101.3.4.3.32", "SHA-512"),
        ("1.2.840.113549.1.5.3", "MD5"),
        ("1.2.840.113549.1.12.1.3", "SHA-1"),
    ],
)
def test_oid_hash(oid: str, hash_: str) -> None:
    entry = get_catalog().oid(oid)
    assert entry is not None and entry.hash == hash_


@pytest.mark.parametrize(
    ("oid", "curve"),
    [
        ("1.2.840.10045.3.1.7", "P-256"),
        ("1.3.132.0.34", "P-384"),
        ("1.3.132.0.35", "P-521"),
        ("1.3.132.0.33", "P-224"),
        ("1.3.132.0.10", "secp256k1"),
        ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
        ("1.2.156.10197.1.301", "curveSM2"),
        ("1.2.643.7.1.2.1.1.1", "GC256A"),
    ],
)
def test_curve_names_classify_with_ecdsa(oid: str, curve: str) -> None:
    cat = get_catalog()
    assert cat.curve_name(oid) == curve
    assert cat.curve_name("2.16.840.1.101.3.4.3.18") is None  # not a curve
    if not curve.startswith("GC"):
        got = cat.classify_oid("1.2.840.10045.2.1", curve)
        assert got.algorithm == "ECDSA" and got.classical_bits is not None
