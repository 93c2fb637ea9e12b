"""Precision, positions and hostile input for the Python source detector."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.code.model import CodeHit, CodeParseError
from pqcscan.collectors.code.source.python import MAX_BYTES, detect_python
from pqcscan.results import Usage

DATA = Path(__file__).parent / "data" / "python"


def _hits(source: str) -> tuple[CodeHit, ...]:
    return detect_python("example.py", source.encode("utf-8"))


def _ids(source: str) -> list[str]:
    return [h.rule_id for h in _hits(source)]


# -- a realistic module, every hit at its exact place -------------------------------------------


def test_realistic_module_exact_hits() -> None:
    hits = detect_python("tls_client.py", (DATA / "tls_client.py").read_bytes())
    got = [
        (h.rule_id, h.algorithm, h.parameter, h.line, h.column, h.end_line, h.end_column)
        for h in hits
    ]
    assert got == [
        ("py-ssl-tls-version", "TLS", "1.2", 25, 31, 25, 53),
        ("py-cryptography-rsa-generate", "RSA", "2048", 32, 12, 32, 79),
        ("py-cryptography-ec-generate", "ECDSA", "P-384", 36, 12, 36, 51),
        ("py-cryptography-pkcs1v15", "RSA", "PKCS1v15", 40, 27, 40, 45),
        ("py-hmac", "HMAC-SHA1", "", 44, 12, 44, 58),
        ("py-cryptography-x509-sign-weak-hash", "SHA-1", "", 48, 12, 48, 44),
        ("py-hashlib-sha2", "SHA-256", "", 52, 12, 52, 31),
    ]
    rsa = hits[1]
    assert rsa.snippet == "_rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)"
    assert rsa.confidence == 0.9  # from the module constant KEY_SIZE
    assert rsa.usage is Usage.KEY
    assert rsa.message == "RSA key generation with a 2048-bit key"


# -- import resolution ----------------------------------------------------------------------------


def test_import_forms_resolve_to_the_same_rule() -> None:
    forms = [
        "import hashlib\nhashlib.md5()\n",
        "import hashlib as h\nh.md5()\n",
        "from hashlib import md5\nmd5()\n",
        "from hashlib import md5 as digest\ndigest()\n",
        "def f():\n    import hashlib\n    return hashlib.md5()\n",
        "def f():\n    from hashlib import md5\n    return md5()\n",
        "class C:\n    import hashlib\n    x = hashlib.md5()\n",
    ]
    for source in forms:
        assert _ids(source) == ["py-hashlib-md5"], source


def test_dotted_import_and_alias() -> None:
    source = (
        "import cryptography.hazmat.primitives.asymmetric.rsa\n"
        "import cryptography.hazmat.primitives.asymmetric.ec as curves\n"
        "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key(65537, 4096)\n"
        "curves.generate_private_key(curves.SECP521R1())\n"
    )
    hits = _hits(source)
    assert [(h.rule_id, h.parameter) for h in hits] == [
        ("py-cryptography-rsa-generate", "4096"),
        ("py-cryptography-ec-generate", "P-521"),
    ]


def test_function_level_import_does_not_leak_into_other_functions() -> None:
    source = "def a():\n    from hashlib import md5\n    return md5()\ndef b():\n    return md5()\n"
    assert [h.line for h in _hits(source)] == [3]


def test_cryptodome_prefix_is_an_alias_of_crypto() -> None:
    source = "from Cryptodome.Cipher import AES\nAES.new(k, AES.MODE_CBC, iv)\n"
    (hit,) = _hits(source)
    assert (hit.rule_id, hit.algorithm, hit.parameter) == ("py-pycryptodome-aes", "AES", "CBC")


def test_try_import_fallback_still_resolves() -> None:
    source = (
        "try:\n"
        "    from Crypto.Cipher import DES\n"
        "except ImportError:\n"
        "    DES = None\n"
        "def enc(key):\n"
        "    return DES.new(key, DES.MODE_ECB)\n"
    )
    assert [(h.rule_id, h.parameter) for h in _hits(source)] == [("py-pycryptodome-des", "ECB")]


def test_star_import_is_resolved_for_rule_names_only_with_lower_confidence() -> None:
    (hit,) = _hits("from hashlib import *\nmd5(b'x')\nsomething_else()\n")
    assert hit.rule_id == "py-hashlib-md5"
    assert hit.confidence == 0.9


def test_relative_import_is_not_resolved() -> None:
    assert _hits("from .hashlib import md5\nimport hashlib\nmd5()\n") == ()


# -- precision ----------------------------------------------------------------------------------


def test_comments_docstrings_and_strings_never_match() -> None:
    source = (
        '"""Uses hashlib.md5() and rsa.generate_private_key(65537, 1024)."""\n'
        "import hashlib\n"
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "# hashlib.md5(data)\n"
        "def f():\n"
        '    """hashlib.sha1()"""\n'
        "    s = 'rsa.generate_private_key(65537, 512)'\n"
        '    return f"{s} hashlib.md5()"\n'
    )
    assert _hits(source) == ()


def test_local_function_of_the_same_name_does_not_match() -> None:
    source = (
        "import ssl\n"
        "def generate_private_key(public_exponent, key_size):\n"
        "    return object()\n"
        "generate_private_key(65537, 1024)\n"
    )
    assert _hits(source) == ()


def test_local_assignment_shadows_an_outer_import() -> None:
    source = (
        "import hashlib\n"
        "def f(hashlib):\n"
        "    return hashlib.md5()\n"
        "def g():\n"
        "    hashlib = FakeHashlib()\n"
        "    return hashlib.md5()\n"
        "hashlib.md5()\n"
    )
    assert [h.line for h in _hits(source)] == [7]


def test_global_declaration_reaches_the_module_import() -> None:
    source = "import hashlib\ndef f():\n    global hashlib\n    return hashlib.sha1()\n"
    assert _ids(source) == ["py-hashlib-sha1"]


def test_class_scope_does_not_leak_into_methods() -> None:
    source = (
        "import ssl\n"
        "class C:\n"
        "    from hashlib import md5\n"
        "    def m(self):\n"
        "        return md5()\n"
    )
    assert _hits(source) == ()


def test_comprehension_target_shadows() -> None:
    source = "import hashlib\nx = [hashlib.md5() for hashlib in impls]\n"
    assert _hits(source) == ()


def test_variable_argument_lowers_confidence() -> None:
    source = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "def make(bits):\n"
        "    return rsa.generate_private_key(65537, bits)\n"
    )
    (hit,) = _hits(source)
    assert hit.parameter == ""
    assert hit.confidence == 0.6
    assert hit.message == "RSA key generation (key size not literal)"


def test_reassigned_constant_is_not_trusted() -> None:
    source = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "BITS = 1024\n"
        "BITS = 4096\n"
        "rsa.generate_private_key(65537, BITS)\n"
    )
    (hit,) = _hits(source)
    assert hit.parameter == ""


def test_consumed_argument_is_not_reported_twice() -> None:
    source = (
        "from cryptography import x509\n"
        "from cryptography.hazmat.primitives import hashes\n"
        "builder.sign(key, hashes.SHA1())\n"
        "hashes.Hash(hashes.SHA1())\n"
    )
    assert [(h.rule_id, h.line, h.column) for h in _hits(source)] == [
        ("py-cryptography-x509-sign-weak-hash", 3, 1),
        ("py-cryptography-hash-sha1", 4, 13),
    ]


def test_multiple_hits_on_one_line_in_column_order() -> None:
    source = "import hashlib\na, b = hashlib.md5(), hashlib.sha1()\n"
    hits = _hits(source)
    assert [(h.rule_id, h.line, h.column, h.end_column) for h in hits] == [
        ("py-hashlib-md5", 2, 8, 21),
        ("py-hashlib-sha1", 2, 23, 37),
    ]


def test_method_rule_needs_the_module_imported() -> None:
    assert _hits('ctx.set_ciphers("RC4-SHA")\n') == ()
    assert _ids('import ssl\nctx.set_ciphers("RC4-SHA")\n') == ["py-ssl-ciphers-rc4"]


def test_method_rule_on_an_imported_name_does_not_fire() -> None:
    # ``hashlib.set_ciphers`` resolves to a module attribute, not an unknown object
    assert _hits('import ssl, hashlib\nhashlib.set_ciphers("RC4")\n') == ()


# -- positions and snippets ---------------------------------------------------------------------


def test_columns_count_characters_not_bytes() -> None:
    source = 'import hashlib\nnom = "éèà"; h = hashlib.md5()\n'
    (hit,) = _hits(source)
    assert (hit.line, hit.column, hit.end_column) == (2, 18, 31)
    assert hit.snippet == "hashlib.md5()"


def test_multiline_call_snippet_is_one_line() -> None:
    source = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "key = rsa.generate_private_key(\n"
        "    public_exponent=65537,\n"
        "    key_size=1024,\n"
        ")\n"
    )
    (hit,) = _hits(source)
    assert (hit.line, hit.column, hit.end_line, hit.end_column) == (2, 7, 5, 2)
    assert hit.snippet == "rsa.generate_private_key( public_exponent=65537, key_size=1024, )"


def test_long_snippet_is_cut_to_200_characters() -> None:
    source = "import hashlib\nhashlib.md5(" + " + ".join(["b'abcdefgh'"] * 60) + ")\n"
    (hit,) = _hits(source)
    assert len(hit.snippet) == 200
    assert hit.snippet.endswith("...")


def test_crlf_and_cr_line_endings() -> None:
    for newline in ("\r\n", "\r"):
        source = newline.join(["import hashlib", "", "hashlib.sha1()", ""])
        (hit,) = detect_python("x.py", source.encode())
        assert (hit.line, hit.column) == (3, 1)


def test_utf8_bom() -> None:
    (hit,) = detect_python("x.py", b"\xef\xbb\xbfimport hashlib\nhashlib.md5()\n")
    assert (hit.line, hit.column) == (2, 1)


# -- speed guards and hostile input ---------------------------------------------------------------


def test_files_without_a_rule_import_are_not_parsed() -> None:
    # not valid Python, but it never reaches the parser: no rule module is imported
    assert detect_python("x.py", b"import os\nthis is { not python\n") == ()
    assert detect_python("x.py", b"\x00\x01\x02 binary") == ()


def test_large_file_is_skipped() -> None:
    data = b"import hashlib\nhashlib.md5()\n" + b"x = 1\n" * (MAX_BYTES // 6 + 1)
    assert len(data) > MAX_BYTES
    assert detect_python("big.py", data) == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"import hashlib\nprint 'python 2'\n", "line 2:"),
        (b"import hashlib\n{% if x %}\nhashlib.md5()\n{% endif %}\n", "line 2:"),
        (b"import hashlib\nx = 1\x00\n", "line 1:"),
        (b"import hashlib\ndef f(:\n", "line 2:"),
        (b"import hashlib\n\xff\xfe\x00\x80 hashlib.md5()\n", "line "),
        (b"import hashlib\nx = " + b"(" * 300 + b"1" + b")" * 300, "line "),
        (b"import hashlib\nx = " + b"-" * 200_000 + b"1", "nested"),
        (b"import hashlib\nx = hashlib" + b".a" * 200_000, "nested"),
        (b"import hashlib\nx = hashlib.md5" + b"()" * 100_000, "nested"),
        (b"import hashlib\nx = " + b"lambda: " * 50_000 + b"1", "nested"),
    ],
    ids=["py2", "template", "nul", "syntax", "binary", "parens", "unary", "attrs", "calls", "lam"],
)
def test_broken_input_raises_code_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message):
        detect_python("bad.py", data)


def test_invalid_utf8_in_a_string_is_replaced_not_fatal() -> None:
    (hit,) = detect_python("x.py", b"import hashlib\ns = '\xff\xfe'; hashlib.md5()\n")
    assert (hit.line, hit.column) == (2, 11)


def test_moderately_deep_nesting_still_detects() -> None:
    source = "import hashlib\nx = " + "-" * 500 + "len(hashlib.md5().digest())\n"
    (hit,) = _hits(source)
    assert hit.column == 509  # "x = " + 500 signs + "len("


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_another_exception(tail: bytes) -> None:
    with contextlib.suppress(CodeParseError):
        detect_python("fuzz.py", b"import hashlib\n" + tail)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "import hashlib",
                "from hashlib import md5 as m",
                "m()",
                "hashlib.sha1(b'x')",
                "def f(x):",
                "    return x",
                "class K:",
                "    pass",
                "hashlib = None",
                "ctx.set_ciphers('RC4')",
                "import ssl",
                "y = [hashlib.md5() for _ in range(2)]",
            ]
        ),
        max_size=25,
    )
)
def test_generated_programs_give_hits_inside_the_text(lines: list[str]) -> None:
    source = "\n".join(lines) + "\n"
    try:
        hits = _hits(source)
    except CodeParseError:
        return
    text_lines = source.split("\n")
    for hit in hits:
        line = text_lines[hit.line - 1]
        assert hit.snippet.startswith(line[hit.column - 1 : hit.column + 5])
