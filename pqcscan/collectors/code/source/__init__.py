"""Source-code detectors: cryptographic API use -> :class:`~..model.CodeHit` values.

Java, JavaScript/TypeScript, Go, C# and C/C++ are parsed with tree-sitter
(:mod:`.treesitter`) and matched against ``rules/source/<language>.yaml`` (:mod:`.rules`);
Python is delegated to :mod:`.python` (the standard ``ast`` module).
"""

from __future__ import annotations

from pqcscan.collectors.code.model import CodeHit, CodeParseError
from pqcscan.collectors.code.source.rules import ruleset
from pqcscan.collectors.code.source.treesitter import MAX_BYTES, detect_tree

__all__ = [
    "LANGUAGES",
    "MAX_BYTES",
    "CodeParseError",
    "detect",
    "language_for",
    "rule_count",
    "trigger_patterns",
]

_EXTENSIONS: dict[str, str] = {
    ".java": "java",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".cs": "csharp",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".py": "python",
}

#: Every language :func:`detect` accepts.
LANGUAGES: tuple[str, ...] = tuple(sorted(set(_EXTENSIONS.values())))


def language_for(name: str) -> str | None:
    """The language of a file by its name (``a/B.java`` -> ``"java"``), or None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base.endswith(".d.ts"):
        return None  # type declarations: no code
    dot = base.rfind(".")
    return _EXTENSIONS.get(base[dot:]) if dot > 0 else None


def detect(language: str, name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Cryptographic API use in one source file, in source order.

    ``language`` is a value of :func:`language_for`; ``name`` appears in error messages only.
    Files over :data:`MAX_BYTES` yield ``()``. Raises :class:`CodeParseError` only for content
    that is not source code at all (binary).
    """
    if language == "python":
        try:
            from pqcscan.collectors.code.source.python import detect_python
        except ImportError:
            return ()
        return detect_python(name, data)
    return detect_tree(language, name, data)


def rule_count() -> dict[str, int]:
    """How many rules each language has (TypeScript shares JavaScript's, C++ C's)."""
    counts = {lang: len(ruleset(lang).rules) for lang in LANGUAGES if lang != "python"}
    try:
        from pqcscan.collectors.code.source.python import rule_count as python_count
    except ImportError:
        return counts
    counts["python"] = python_count()
    return counts


def trigger_patterns() -> tuple[str, ...]:
    """The prefilters of every language as regular expressions: what a file must contain to
    be parsed at all (the benchmark hands the same set to ripgrep)."""
    from pqcscan.collectors.code.source.python import trigger_pattern

    seen = dict.fromkeys(
        ruleset(lang).prefilter.pattern.decode() for lang in LANGUAGES if lang != "python"
    )
    return (*seen, trigger_pattern())


def trigger_words() -> tuple[str, ...]:
    """The literal words behind the prefilters (callee names, module names), for a
    fixed-string search baseline."""
    from pqcscan.collectors.code.source.python import trigger_modules
    from pqcscan.collectors.code.source.rules import _trigger

    words = {
        _trigger(rule.kind, pattern).rstrip("(")
        for lang in LANGUAGES
        if lang != "python"
        for rule in ruleset(lang).rules
        for pattern in rule.patterns
    }
    return tuple(sorted(words | set(trigger_modules())))
