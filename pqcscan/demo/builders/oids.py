"""Object identifiers the fixture builders write (dotted strings).

Sources: RFC 9881 (ML-DSA), RFC 9909 (SLH-DSA), RFC 9935 (ML-KEM), RFC 8410 (EdDSA/XDH),
RFC 5758 / RFC 3279 / RFC 4055 (classical signatures), draft-ietf-lamps-pq-composite-sigs-19
section 6 (composite ML-DSA), PKCS#5/#12 and the Sun JDK (Java keystores).
"""

from __future__ import annotations

from typing import Final

# --- public-key algorithms (SubjectPublicKeyInfo) ---
RSA_ENCRYPTION: Final = "1.2.840.113549.1.1.1"
DSA: Final = "1.2.840.10040.4.1"
EC_PUBLIC_KEY: Final = "1.2.840.10045.2.1"
DH_PKCS3: Final = "1.2.840.113549.1.3.1"
DH_X942: Final = "1.2.840.10046.2.1"
X25519: Final = "1.3.101.110"
X448: Final = "1.3.101.111"
ED25519: Final = "1.3.101.112"
ED448: Final = "1.3.101.113"

# --- classical signature algorithms ---
SHA1_WITH_RSA: Final = "1.2.840.113549.1.1.5"
SHA256_WITH_RSA: Final = "1.2.840.113549.1.1.11"
SHA384_WITH_RSA: Final = "1.2.840.113549.1.1.12"
SHA512_WITH_RSA: Final = "1.2.840.113549.1.1.13"
RSASSA_PSS: Final = "1.2.840.113549.1.1.10"
MGF1: Final = "1.2.840.113549.1.1.8"
ECDSA_WITH_SHA1: Final = "1.2.840.10045.4.1"
ECDSA_WITH_SHA256: Final = "1.2.840.10045.4.3.2"
ECDSA_WITH_SHA384: Final = "1.2.840.10045.4.3.3"
ECDSA_WITH_SHA512: Final = "1.2.840.10045.4.3.4"
DSA_WITH_SHA1: Final = "1.2.840.10040.4.3"
DSA_WITH_SHA256: Final = "2.16.840.1.101.3.4.3.2"

# --- hashes ---
SHA1: Final = "1.3.14.3.2.26"
SHA256: Final = "2.16.840.1.101.3.4.2.1"
SHA384: Final = "2.16.840.1.101.3.4.2.2"
SHA512: Final = "2.16.840.1.101.3.4.2.3"

# --- ML-DSA (FIPS 204, RFC 9881): the same OID names the key and the signature ---
ML_DSA: Final[dict[int, str]] = {
    44: "2.16.840.1.101.3.4.3.17",
    65: "2.16.840.1.101.3.4.3.18",
    87: "2.16.840.1.101.3.4.3.19",
}

# --- SLH-DSA (FIPS 205, RFC 9909), keyed by the FIPS 205 parameter-set name ---
SLH_DSA: Final[dict[str, str]] = {
    "SHA2-128s": "2.16.840.1.101.3.4.3.20",
    "SHA2-128f": "2.16.840.1.101.3.4.3.21",
    "SHA2-192s": "2.16.840.1.101.3.4.3.22",
    "SHA2-192f": "2.16.840.1.101.3.4.3.23",
    "SHA2-256s": "2.16.840.1.101.3.4.3.24",
    "SHA2-256f": "2.16.840.1.101.3.4.3.25",
    "SHAKE-128s": "2.16.840.1.101.3.4.3.26",
    "SHAKE-128f": "2.16.840.1.101.3.4.3.27",
    "SHAKE-192s": "2.16.840.1.101.3.4.3.28",
    "SHAKE-192f": "2.16.840.1.101.3.4.3.29",
    "SHAKE-256s": "2.16.840.1.101.3.4.3.30",
    "SHAKE-256f": "2.16.840.1.101.3.4.3.31",
}

# --- ML-KEM (FIPS 203, RFC 9935) ---
ML_KEM: Final[dict[int, str]] = {
    512: "2.16.840.1.101.3.4.4.1",
    768: "2.16.840.1.101.3.4.4.2",
    1024: "2.16.840.1.101.3.4.4.3",
}

# --- Composite ML-DSA: draft-ietf-lamps-pq-composite-sigs-19, section 6 (the newest draft at the
# time of writing; the OIDs sit under id-pkix 6 = 1.3.6.1.5.5.7.6 and were stable from -13 on).
COMPOSITE_ML_DSA: Final[dict[str, str]] = {
    "MLDSA44-RSA2048-PSS-SHA256": "1.3.6.1.5.5.7.6.37",
    "MLDSA44-RSA2048-PKCS15-SHA256": "1.3.6.1.5.5.7.6.38",
    "MLDSA44-Ed25519-SHA512": "1.3.6.1.5.5.7.6.39",
    "MLDSA44-ECDSA-P256-SHA256": "1.3.6.1.5.5.7.6.40",
    "MLDSA65-RSA3072-PSS-SHA512": "1.3.6.1.5.5.7.6.41",
    "MLDSA65-RSA3072-PKCS15-SHA512": "1.3.6.1.5.5.7.6.42",
    "MLDSA65-RSA4096-PSS-SHA512": "1.3.6.1.5.5.7.6.43",
    "MLDSA65-RSA4096-PKCS15-SHA512": "1.3.6.1.5.5.7.6.44",
    "MLDSA65-ECDSA-P256-SHA512": "1.3.6.1.5.5.7.6.45",
    "MLDSA65-ECDSA-P384-SHA512": "1.3.6.1.5.5.7.6.46",
    "MLDSA65-ECDSA-brainpoolP256r1-SHA512": "1.3.6.1.5.5.7.6.47",
    "MLDSA65-Ed25519-SHA512": "1.3.6.1.5.5.7.6.48",
    "MLDSA87-ECDSA-P384-SHA512": "1.3.6.1.5.5.7.6.49",
    "MLDSA87-ECDSA-brainpoolP384r1-SHA512": "1.3.6.1.5.5.7.6.50",
    "MLDSA87-Ed448-SHAKE256": "1.3.6.1.5.5.7.6.51",
    "MLDSA87-RSA3072-PSS-SHA512": "1.3.6.1.5.5.7.6.52",
    "MLDSA87-RSA4096-PSS-SHA512": "1.3.6.1.5.5.7.6.53",
    "MLDSA87-ECDSA-P521-SHA512": "1.3.6.1.5.5.7.6.54",
}

# --- password-based encryption ---
PBES2: Final = "1.2.840.113549.1.5.13"
PBKDF2: Final = "1.2.840.113549.1.5.12"
HMAC_SHA1: Final = "1.2.840.113549.2.7"
HMAC_SHA256: Final = "1.2.840.113549.2.9"
AES128_CBC: Final = "2.16.840.1.101.3.4.1.2"
AES256_CBC: Final = "2.16.840.1.101.3.4.1.42"
PBE_MD5_DES_CBC: Final = "1.2.840.113549.1.5.3"  # PBES1
PBE_SHA1_3DES: Final = "1.2.840.113549.1.12.1.3"  # pbeWithSHAAnd3-KeyTripleDES-CBC
PBE_SHA1_RC2_40: Final = "1.2.840.113549.1.12.1.6"  # pbeWithSHAAnd40BitRC2-CBC

# --- PKCS#7 / PKCS#9 / PKCS#12 ---
PKCS7_DATA: Final = "1.2.840.113549.1.7.1"
PKCS7_ENCRYPTED_DATA: Final = "1.2.840.113549.1.7.6"
PKCS9_FRIENDLY_NAME: Final = "1.2.840.113549.1.9.20"
PKCS9_LOCAL_KEY_ID: Final = "1.2.840.113549.1.9.21"
PKCS9_X509_CERTIFICATE: Final = "1.2.840.113549.1.9.22.1"
PKCS9_EXTENSION_REQUEST: Final = "1.2.840.113549.1.9.14"
P12_KEY_BAG: Final = "1.2.840.113549.1.12.10.1.1"
P12_SHROUDED_KEY_BAG: Final = "1.2.840.113549.1.12.10.1.2"
P12_CERT_BAG: Final = "1.2.840.113549.1.12.10.1.3"
# Oracle's "trusted key usage" bag attribute: Java reads a PKCS#12 certificate bag that carries
# it as a trusted-certificate entry.
ORACLE_TRUSTED_KEY_USAGE: Final = "2.16.840.1.113894.746875.1.1"
ANY_EXTENDED_KEY_USAGE: Final = "2.5.29.37.0"

# --- Java keystores ---
SUN_JKS_KEY_PROTECTOR: Final = "1.3.6.1.4.1.42.2.17.1.1"
SUN_JCE_PBE_MD5_3DES: Final = "1.3.6.1.4.1.42.2.19.1"
