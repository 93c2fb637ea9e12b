"""Precision of the tree-sitter source detectors: what is (and is not) a hit, and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqcscan.collectors.code.model import CodeHit
from pqcscan.collectors.code.source import detect, language_for

DATA = Path(__file__).parent / "data"


def _hits(language: str, code: str | bytes) -> tuple[CodeHit, ...]:
    return detect(language, "t", code.encode() if isinstance(code, str) else code)


def _summary(hits: tuple[CodeHit, ...]) -> list[tuple[str, str, str, int, int, float]]:
    return [(h.rule_id, h.algorithm, h.parameter, h.line, h.column, h.confidence) for h in hits]


# -- realistic files: every hit, exactly where it is ---------------------------------------------

FIXTURES = {
    "java/KeyService.java": [
        ("java-kpg-rsa", "RSA", "2048", 18, 32, 0.81),
        ("java-kpg-ec", "ECDSA", "P-256", 24, 32, 0.9),
        ("java-cipher-3des", "3DES", "ECB", 30, 25, 1.0),
        ("java-digest-md5", "MD5", "", 37, 16, 1.0),
        ("java-sslcontext", "TLS", "1.2", 41, 16, 1.0),
    ],
    "js/server.js": [
        ("js-jwt-sign", "RSA", "SHA-256", 8, 10, 1.0),
        ("js-hash-md5", "MD5", "", 12, 10, 1.0),
        ("js-generatekeypair-ec", "ECDSA", "P-256", 15, 35, 1.0),
        ("js-tls-minversion", "TLS", "1.0", 19, 76, 1.0),
    ],
    "go/tlsconfig.go": [
        ("go-rsa-generatekey", "RSA", "3072", 14, 13, 1.0),
        ("go-ecdsa-generatekey", "ECDSA", "P-384", 18, 13, 1.0),
        ("go-tls-version", "TLS", "1.0", 24, 21, 1.0),
        ("go-tls-pqc-group", "X25519MLKEM768", "", 25, 35, 1.0),
        ("go-tls-curve", "ECDH", "P-256", 25, 55, 1.0),
        ("go-hash-md5", "MD5", "", 29, 43, 1.0),
    ],
    "csharp/TokenCrypto.cs": [
        ("cs-rsa-create", "RSA", "3072", 10, 36, 1.0),
        ("cs-aes", "AES", "ECB", 14, 29, 0.9),
        ("cs-mlkem", "ML-KEM-768", "", 21, 34, 1.0),
        ("cs-ssl-protocols", "TLS", "1.2", 23, 42, 1.0),
        ("cs-ssl-protocols", "TLS", "1.0", 23, 63, 1.0),
    ],
    "c/keygen.c": [
        ("c-evp-ctx-rsa", "RSA", "2048", 11, 25, 0.81),
        ("c-evp-ctx-name", "ML-KEM-768", "", 25, 26, 1.0),
        ("c-ssl-proto-version", "TLS", "1.0", 36, 5, 1.0),
        ("c-ssl-groups", "X25519", "", 37, 5, 1.0),
        ("c-ssl-groups", "ECDH", "P-256", 37, 5, 1.0),
    ],
}


@pytest.mark.parametrize("path", sorted(FIXTURES))
def test_fixture_files(path: str) -> None:
    file = DATA / path
    language = language_for(file.name)
    assert language is not None
    hits = detect(language, file.name, file.read_bytes())
    assert _summary(hits) == FIXTURES[path]


def test_positions_and_snippet() -> None:
    code = (
        "class A {\n  void f() {\n    Cipher c = Cipher.getInstance(\n"
        '        "AES/ECB/NoPadding");\n  }\n}\n'
    )
    (hit,) = _hits("java", code)
    assert (hit.line, hit.column, hit.end_line, hit.end_column) == (3, 16, 4, 29)
    assert hit.snippet == 'Cipher.getInstance( "AES/ECB/NoPadding")'
    assert hit.message == "AES encryption in ECB mode"


def test_columns_count_characters_not_bytes() -> None:
    code = "const é = 'ü'; crypto.createHash('md5');"
    (hit,) = _hits("javascript", code)
    assert hit.column == code.index("crypto") + 1
    assert hit.end_column == code.index(";", hit.column) + 1


# -- what must not match -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("java", '// KeyPairGenerator.getInstance("RSA");\n/* Cipher.getInstance("DES") */'),
        ("java", 'String s = "MessageDigest.getInstance(\\"MD5\\")";'),
        ("java", 'class A { void f() { log("Cipher.getInstance", "DES"); } }'),
        ("javascript", "// crypto.createHash('md5')\nconst doc = `crypto.createHash('md5')`;"),
        ("javascript", "const o = { algorithm: 'md5' }; const s = 'minVersion: TLSv1';"),
        ("typescript", "type T = { minVersion: 'TLSv1' }; // createHash('md5')"),
        ("go", 'package m\n// md5.Sum(b)\nvar s = "rsa.GenerateKey(rand.Reader, 1024)"'),
        ("go", "package m\nfunc f() { mymd5.Sum(b); x.rsa.Generate(1) }"),
        ("csharp", 'class C { void M() { var x = myRSA.Create(); var s = "MD5.Create()"; } }'),
        ("c", '/* EVP_md5() */\nconst char *doc = "RSA_generate_key(1024, 3, 0, 0)";'),
        ("c", "int MD5_DIGEST = MD5_DIGEST_LENGTH; my_EVP_md5();"),
        ("cpp", '// EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr)\nauto s = R"(EVP_sha1())";'),
    ],
)
def test_no_hits(language: str, code: str) -> None:
    assert _hits(language, code) == ()


def test_unrelated_receiver_needs_the_qualified_name() -> None:
    # KeyPairGenerator.getInstance on a user class of another name: no hit; the real one: hit.
    code = (
        'class A { void f() { Factory.getInstance("RSA"); KeyPairGenerator.getInstance("RSA"); } }'
    )
    assert [h.column for h in _hits("java", code)] == [code.index("KeyPairGenerator") + 1]


# -- nesting, several hits, follow-ups, consumed arguments ---------------------------------------


def test_nested_calls_each_reported_once() -> None:
    code = "package m\nfunc f() { sum := md5.Sum(sha1.Sum(md5.Sum(b))[:]) }"
    hits = _hits("go", code)
    assert [h.rule_id for h in hits] == ["go-hash-md5", "go-hash-sha1", "go-hash-md5"]
    assert [h.column for h in hits] == [19, 27, 36]


def test_several_hits_on_one_line_in_source_order() -> None:
    code = "a(crypto.createHash('sha1'), crypto.createHmac('md5', k), crypto.createHash('md5'));"
    hits = _hits("javascript", code)
    assert [(h.algorithm, h.column) for h in hits] == [("SHA-1", 3), ("HMAC-MD5", 30), ("MD5", 59)]


def test_argument_consumed_by_a_rule_is_not_reported_again() -> None:
    go = "package m\nfunc f() { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }"
    assert [h.rule_id for h in _hits("go", go)] == ["go-ecdsa-generatekey"]
    java = (
        'class A { void f() { KeyPairGenerator g = KeyPairGenerator.getInstance("EC");'
        ' g.initialize(new ECGenParameterSpec("secp521r1")); } }'
    )
    assert _summary(_hits("java", java)) == [("java-kpg-ec", "ECDSA", "P-521", 1, 43, 0.9)]
    cs = "class C { void M() { var k = MLKem.GenerateKey(MLKemAlgorithm.MLKem1024); } }"
    assert [h.rule_id for h in _hits("csharp", cs)] == ["cs-mlkem"]


def test_follow_up_stays_in_the_same_function_and_variable() -> None:
    code = """
    class A {
      void a() {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA"); other.initialize(512); }
      void b() { kpg.initialize(1024); }
    }"""
    (hit,) = _hits("java", code)
    assert (hit.parameter, hit.confidence) == ("", 0.8)


def test_follow_up_in_c_is_matched_on_the_same_context() -> None:
    code = """void f(void) {
        EVP_PKEY_CTX *a = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
        EVP_PKEY_CTX *b = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
        EVP_PKEY_CTX_set_rsa_keygen_bits(b, 4096);
        EVP_PKEY_CTX_set_rsa_keygen_bits(a, 1024);
    }"""
    hits = _hits("c", code)
    assert [(h.rule_id, h.parameter, h.line) for h in hits] == [
        ("c-evp-ctx-rsa", "1024", 2),
        ("c-evp-ctx-rsa", "4096", 3),
    ]


def test_parameter_from_a_constant_lowers_confidence() -> None:
    code = "package m\nconst keyBits = 1024\nfunc f() { rsa.GenerateKey(rand.Reader, keyBits) }"
    (hit,) = _hits("go", code)
    assert (hit.parameter, hit.confidence) == ("1024", 0.9)
    ambiguous = code + "\nfunc g() { keyBits = 4096 }"
    (hit,) = _hits("go", ambiguous)
    assert (hit.parameter, hit.confidence) == ("", 0.8)


def test_typescript_and_tsx_use_the_javascript_rules() -> None:
    ts = "import * as c from 'crypto';\nconst h: Hash = c.createHash('md5' as const);"
    assert [h.rule_id for h in _hits("typescript", ts)] == ["js-hash-md5"]
    tsx = "export const B = () => <b onClick={() => crypto.createHash('sha1')}>x</b>;"
    assert [h.rule_id for h in _hits("tsx", tsx)] == ["js-hash-sha1"]


def test_cpp_uses_the_c_rules_and_its_own() -> None:
    code = (
        "namespace k { EVP_PKEY_CTX* f() { auto* c = ::EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr);"
        " ::EVP_PKEY_CTX_set_rsa_keygen_bits(c, 1024); return c; } }\n"
        "void g(CryptoPP::AutoSeededRandomPool& rng) {\n"
        "  params.GenerateRandomWithKeySize(rng, 2048); }"
    )
    assert [(h.rule_id, h.parameter) for h in _hits("cpp", code)] == [
        ("c-evp-ctx-rsa", "1024"),
        ("c-cryptopp-rsa", "2048"),
    ]
    assert "c-cryptopp-rsa" not in {h.rule_id for h in _hits("c", code)}


def test_quantum_safe_use_is_reported_too() -> None:
    hits = _hits("javascript", "const { publicKey } = ml_kem768.keygen(seed);")
    assert [(h.rule_id, h.algorithm) for h in hits] == [("js-noble-pqc", "ML-KEM-768")]


def test_algorithm_from_a_constant_lowers_confidence() -> None:
    code = """class K {
        private static final String ALG = "RSA";
        void f() throws Exception { KeyPairGenerator g = KeyPairGenerator.getInstance(ALG); }
    }"""
    (hit,) = _hits("java", code)
    assert (hit.rule_id, hit.parameter, hit.confidence) == ("java-kpg-rsa", "", 0.72)
    hex_size = "package m\nconst bits = 0x400\nfunc f() { rsa.GenerateKey(rand.Reader, bits) }"
    (hit,) = _hits("go", hex_size)
    assert hit.parameter == ""  # only decimal constants are read
