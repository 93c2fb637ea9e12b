"""Every rule in rules/source/{java,javascript,go,csharp,c}.yaml: its snippets and the catalog."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.catalog.loader import validate
from pqcscan.collectors.code.source import detect, rule_count
from pqcscan.collectors.code.source.rules import load_document
from pqcscan.errors import RuleError

#: Rule file -> the language its snippets are parsed as (unless a test says otherwise).
FILES = {"java": "java", "javascript": "javascript", "go": "go", "csharp": "csharp", "c": "c"}
RULES: list[tuple[str, dict[str, Any]]] = [
    (file, rule) for file in FILES for rule in load_document(file)["rules"]
]


def _cases(kind: str) -> Iterator[Any]:
    for file, rule in RULES:
        for i, test in enumerate(rule["tests"][kind]):
            yield pytest.param(file, rule["id"], test, id=f"{rule['id']}-{kind}-{i}")


def _code(test: str | dict[str, Any]) -> str:
    return test if isinstance(test, str) else str(test["code"])


def _language(file: str, rule: dict[str, Any], test: str | dict[str, Any]) -> str:
    if isinstance(test, dict) and "language" in test:
        return str(test["language"])
    return str(rule.get("languages", [FILES[file]])[0])


def _rule(rule_id: str) -> tuple[str, dict[str, Any]]:
    return next((f, r) for f, r in RULES if r["id"] == rule_id)


def test_rule_count() -> None:
    counts = rule_count()
    assert sum(v for k, v in counts.items() if k in FILES) >= 110
    assert counts["typescript"] == counts["javascript"]
    assert counts["cpp"] >= counts["c"]
    for file in FILES:
        assert counts[file] == len(
            [r for f, r in RULES if f == file and FILES[file] in r.get("languages", [FILES[file]])]
        )


def test_rule_ids_are_unique_and_prefixed() -> None:
    ids = [r["id"] for _, r in RULES]
    assert len(ids) == len(set(ids))
    prefixes = {"java": "java-", "javascript": "js-", "go": "go-", "csharp": "cs-", "c": "c-"}
    for file, rule in RULES:
        assert rule["id"].startswith(prefixes[file]), rule["id"]


@pytest.mark.parametrize(("file", "rule"), RULES, ids=[r["id"] for _, r in RULES])
def test_every_rule_has_tests(file: str, rule: dict[str, Any]) -> None:
    assert rule["tests"].get("match"), f"{rule['id']} has no match test"
    assert rule["tests"].get("no_match"), f"{rule['id']} has no no_match test"


@pytest.mark.parametrize(("file", "rule_id", "test"), list(_cases("match")))
def test_match(file: str, rule_id: str, test: str | dict[str, Any]) -> None:
    _, rule = _rule(rule_id)
    language = _language(file, rule, test)
    hits = detect(language, "t", _code(test).encode())
    mine = [h for h in hits if h.rule_id == rule_id]
    assert mine, f"{rule_id} did not match ({language}):\n{_code(test)}\n{hits}"
    first = mine[0]
    if isinstance(test, dict):
        for key in ("algorithm", "parameter", "confidence"):
            if key in test:
                assert getattr(first, key) == test[key], (key, first)
    catalog = get_catalog()
    for hit in hits:
        classification = catalog.classify(hit.algorithm, hit.parameter)
        assert classification.algorithm != "unknown", hit
        assert not classification.pseudo, hit
        assert hit.message and "{" not in hit.message, hit
        assert hit.snippet and len(hit.snippet) <= 200 and "\n" not in hit.snippet
        assert 0 < hit.confidence <= 1
        assert (hit.line, hit.column) <= (hit.end_line, hit.end_column)


@pytest.mark.parametrize(("file", "rule_id", "test"), list(_cases("no_match")))
def test_no_match(file: str, rule_id: str, test: str | dict[str, Any]) -> None:
    _, rule = _rule(rule_id)
    hits = detect(_language(file, rule, test), "t", _code(test).encode())
    assert not [h for h in hits if h.rule_id == rule_id], hits


def _mapped_algorithms(rule: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every (algorithm, parameter) pair a rule can emit from its fixed values and maps."""
    algorithm, parameter = rule["algorithm"], rule.get("parameter", "")
    fixed_param = parameter if isinstance(parameter, str) else ""
    algs: list[tuple[str, str]] = []
    if isinstance(algorithm, str):
        algs.append((algorithm, fixed_param))
    else:
        for value in algorithm.get("map", {}).values():
            if isinstance(value, str):
                algs.append((value, fixed_param))
            else:
                algs.append((value.get("algorithm", "?"), value.get("parameter", fixed_param)))
        if "default" in algorithm:
            algs.append((str(algorithm["default"]), fixed_param))
    yield from algs
    sources = parameter if isinstance(parameter, list) else [parameter]
    for source in sources:
        if not isinstance(source, dict):
            continue
        for value in source.get("map", {}).values():
            if isinstance(value, dict) and "algorithm" in value:
                yield value["algorithm"], value.get("parameter", "")
            else:
                param = value if isinstance(value, str) else value.get("parameter", "")
                for alg, _ in algs:
                    yield alg, param


@pytest.mark.parametrize(("file", "rule"), RULES, ids=[r["id"] for _, r in RULES])
def test_every_emittable_algorithm_is_in_the_catalog(file: str, rule: dict[str, Any]) -> None:
    catalog = get_catalog()
    for algorithm, parameter in _mapped_algorithms(rule):
        classification = catalog.classify(algorithm, parameter)
        assert classification.algorithm != "unknown", (rule["id"], algorithm, parameter)
        assert not classification.pseudo, (rule["id"], algorithm)


def _broken(mutate: str) -> dict[str, Any]:
    document = copy.deepcopy(load_document("go"))
    rule = document["rules"][0]
    if mutate == "no-tests":
        del rule["tests"]
    elif mutate == "empty-match":
        rule["tests"]["match"] = []
    elif mutate == "two-kinds":
        rule["new"] = "X"
    elif mutate == "bad-usage":
        rule["usage"] = "crypto"
    elif mutate == "bad-pattern":
        rule["call"] = "rsa.Generate Key"
    elif mutate == "unknown-key":
        rule["algorithm"] = {"arg": 0, "mapping": {}}
    elif mutate == "bad-id":
        rule["id"] = "Go_RSA"
    return dict(document)


@pytest.mark.parametrize(
    "mutate",
    ["no-tests", "empty-match", "two-kinds", "bad-usage", "bad-pattern", "unknown-key", "bad-id"],
)
def test_schema_rejects_broken_rules(mutate: str) -> None:
    with pytest.raises(RuleError, match=r"rules/source/go\.yaml: rules/0"):
        validate(_broken(mutate), "source-rules.schema.json", "source/go.yaml")


def test_shipped_rule_files_validate() -> None:
    for file in FILES:
        validate(load_document(file), "source-rules.schema.json", f"source/{file}.yaml")
