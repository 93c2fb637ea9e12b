"""The source detection engine: languages, dispatch, limits and hostile input."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.code.model import CodeParseError
from pqcscan.collectors.code.source import MAX_BYTES, detect, language_for, rule_count
from pqcscan.collectors.code.source.rules import has_trigger, ruleset


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("src/main/java/A.java", "java"),
        ("a.js", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
        ("A.jsx", "javascript"),
        ("a.ts", "typescript"),
        ("App.tsx", "tsx"),
        ("main.go", "go"),
        ("Program.cs", "csharp"),
        ("x.c", "c"),
        ("x.h", "c"),
        ("x.cc", "cpp"),
        ("X.CPP", "cpp"),
        ("x.cxx", "cpp"),
        ("x.hpp", "cpp"),
        ("x.hh", "cpp"),
        ("tool.py", "python"),
        ("C:\\src\\A.java", "java"),
        ("README.md", None),
        ("Makefile", None),
        (".java", None),
        ("types.d.ts", None),
    ],
)
def test_language_for(name: str, language: str | None) -> None:
    assert language_for(name) == language


def test_rule_count_per_language() -> None:
    counts = rule_count()
    for language in ("java", "javascript", "typescript", "tsx", "go", "csharp", "c", "cpp"):
        assert counts[language] >= 25, language
    assert "python" in counts


def test_python_is_delegated() -> None:
    code = b"import hashlib\nh = hashlib.md5(b'x')\n"
    hits = detect("python", "a.py", code)
    assert [h.algorithm for h in hits] == ["MD5"]


def test_unknown_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        detect("cobol", "a.cbl", b"DISPLAY 'X'.")


def test_file_without_trigger_is_not_parsed() -> None:
    rules = ruleset("java")
    code = b"class A { void f() { System.out.println(1); } }\n" * 1000
    assert not has_trigger(rules, code)
    assert not has_trigger(ruleset("javascript"), b"const SPEC = EC_KEY(1); ECDSA(2);")
    assert has_trigger(ruleset("javascript"), b"const ec = new EC('p256');")
    assert detect("java", "A.java", code) == ()


def test_prefilter_accepts_every_rule_pattern() -> None:
    for language in ("java", "javascript", "go", "csharp", "c", "cpp"):
        rules = ruleset(language)
        for rule in rules.rules:
            for pattern in rule.patterns:
                text = pattern.replace("*.", "x.")
                written = f"{text}(" if rule.kind in ("call", "new") else text
                assert has_trigger(rules, written.encode()), (language, rule.id, pattern)


def test_files_over_the_limit_are_skipped() -> None:
    code = b"var h = crypto.createHash('md5');\n"
    big = code + b"//" + b"x" * MAX_BYTES
    assert detect("javascript", "big.js", big) == ()
    assert detect("javascript", "small.js", code)


def test_binary_content_is_a_parse_error() -> None:
    data = b"\x7fELF\x02\x01\x01\x00\x00\x00 crypto.createHash('md5')"
    with pytest.raises(CodeParseError, match="binary"):
        detect("javascript", "a.js", data)


def test_invalid_utf8_is_replaced_and_columns_count_characters() -> None:
    data = b"const a = '\xff\xfe'; crypto.createHash('md5');"
    (hit,) = detect("javascript", "a.js", data)
    text = data.decode("utf-8", "replace")
    assert hit.column == text.index("crypto") + 1
    assert hit.snippet == "crypto.createHash('md5')"


def test_syntax_errors_still_yield_hits_from_valid_parts() -> None:
    code = b"""class A {
        void broken( { int = ; }
        void ok() { MessageDigest.getInstance("SHA-1"); }
    """
    hits = detect("java", "A.java", code)
    assert [(h.rule_id, h.line) for h in hits] == [("java-digest-sha1", 3)]


def test_minified_single_line_file() -> None:
    body = "function a(b){return require('crypto').createHash('md5').update(b).digest('hex')};"
    code = ("var x=" + "[1,2,3];" * 20000 + body * 50).encode()
    start = time.perf_counter()
    hits = detect("javascript", "bundle.min.js", code)
    assert len(hits) == 50 and {h.line for h in hits} == {1}
    assert all(len(h.snippet) <= 200 for h in hits)
    assert time.perf_counter() - start < 10


def test_deep_nesting_does_not_crash() -> None:
    depth = 50000
    code = ("x = " + "(" * depth + "crypto.createHash('md5')" + ")" * depth + ";").encode()
    hits = detect("javascript", "deep.js", code)
    assert [h.algorithm for h in hits] == ["MD5"]
    truncated = ("f(" * depth + "crypto.createHash('sha1'").encode()
    detect("javascript", "cut.js", truncated)  # error recovery: no crash, hits optional
    cut = b"g(crypto.createHash('sha1'));\nh(f(1, "
    assert [h.algorithm for h in detect("javascript", "cut.js", cut)] == ["SHA-1"]


def test_long_snippet_is_cut_to_one_line() -> None:
    arg = "{ modulusLength: 1024,\n" + "  extra: 1,\n" * 100 + "}"
    code = f"crypto.generateKeyPairSync('rsa', {arg});".encode()
    (hit,) = detect("javascript", "a.js", code)
    assert len(hit.snippet) == 200 and "\n" not in hit.snippet
    assert hit.parameter == "1024" and hit.end_line == 102


def test_garbage_input_never_raises_anything_but_parse_errors() -> None:
    samples = [
        b"KeyPairGenerator.getInstance(" * 500,
        b'}}}{{{ Cipher.getInstance("DES") ))) ((( ',
        bytes(range(1, 256)) * 20 + b"EVP_md5()",
        b'"unterminated MD5( string',
        b"",
    ]
    for language in ("java", "javascript", "typescript", "tsx", "go", "csharp", "c", "cpp"):
        for data in samples:
            detect(language, "g", data)


@settings(max_examples=60, deadline=None)
@given(
    language=st.sampled_from(["java", "javascript", "tsx", "go", "csharp", "c", "cpp"]),
    data=st.binary(max_size=400),
    trigger=st.sampled_from([b"", b"crypto.createHash('md5')", b"EVP_md5()", b"RSA.Create(1)"]),
)
def test_any_bytes_give_hits_or_a_parse_error(language: str, data: bytes, trigger: bytes) -> None:
    try:
        hits = detect(language, "fuzz", data + trigger + data)
    except CodeParseError:
        return
    for hit in hits:
        assert hit.line >= 1 and hit.column >= 1 and len(hit.snippet) <= 200
