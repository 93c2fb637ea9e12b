"""Context files: every invalid input with its exact line-numbered message; YAML and CSV give
the same context; the hash is deterministic; cycles warn; the shipped samples load."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from pqcscan.context.document import context_sha256, without_sources
from pqcscan.context.load import load_context_files, parse_context
from pqcscan.context.model import Ecosystem, MappingRule, MatchKind
from pqcscan.context.problems import MAX_PROBLEMS, ContextError
from pqcscan.errors import UsageError

SAMPLES = Path(__file__).resolve().parents[3] / "pqcscan" / "demo" / "samples"

GOOD_YAML = textwrap.dedent(
    """\
    name: bank
    data_classes:
      customer-pii:
        retention_years: 10
        description: KYC records
      logs: 1
    services:
      - id: core-banking
        name: Core banking
        owner: Core Platforms
        impact: 5
        data_classes: [customer-pii]
        ecosystem: interbank
        migration_years: 5
        depends_on: [hsm]
        tags: [Crown-Jewel]
      - id: hsm
        impact: 4
        retention_years: 12.5
        signature_lifetime_years: 20
        ecosystem: supplier-managed
        vendor_controlled: true
      - id: web
        impact: 3
        data_classes: logs
        ecosystem: customer-facing
    mappings:
      - service: core-banking
        cidr: [10.1.0.0/16, "fd00::/8"]
        asset_types: [endpoint]
      - service: web
        host: "*.Example.TEST"
      - service: web
        port: 8000-8100
      - service: core-banking
        path: "*/opt/core/*"
      - service: hsm
        tag: HSM
      - service: hsm
        purl: "pkg:maven/com.thales/*"
      - service: hsm
        asset: hsm-01
    """
)

SERVICES_CSV = textwrap.dedent(
    """\
    id,name,owner,impact,data_classes,retention_years,signature_lifetime_years,ecosystem,vendor_controlled,migration_years,depends_on,tags
    # the services of the bank
    core-banking,Core banking,Core Platforms,5,customer-pii,,,interbank,,5,hsm,Crown-Jewel
    hsm,,,4,,12.5,20,supplier-managed,yes,,,
    web,,,3,logs,,,customer-facing,no,,,
    """
)
DATA_CLASSES_CSV = "data_class,retention_years,description\ncustomer-pii,10,KYC records\nlogs,1,\n"
MAPPINGS_CSV = textwrap.dedent(
    """\
    service,kind,pattern,asset_types
    core-banking,cidr,10.1.0.0/16,endpoint
    core-banking,cidr,fd00::/8,endpoint
    web,host,*.Example.TEST,
    web,port,8000-8100,
    core-banking,path,*/opt/core/*,
    hsm,tag,HSM,
    hsm,purl,pkg:maven/com.thales/*,
    hsm,asset,hsm-01,
    """
)


def problems_of(files: list[tuple[str, str]]) -> list[str]:
    with pytest.raises(ContextError) as info:
        parse_context(files)
    return [str(p) for p in info.value.problems]


def test_good_yaml_builds_the_context() -> None:
    loaded = parse_context([("context.yaml", GOOD_YAML)])
    ctx = loaded.context
    assert loaded.warnings == ()
    assert ctx.name == "bank"
    assert [d.name for d in ctx.data_classes] == ["customer-pii", "logs"]
    assert ctx.data_classes[0].retention_years == 10.0
    assert ctx.data_classes[0].description == "KYC records"
    core, hsm, web = ctx.services
    assert (core.id, core.name, core.owner, core.impact) == (
        "core-banking",
        "Core banking",
        "Core Platforms",
        5,
    )
    assert core.ecosystem is Ecosystem.INTERBANK and core.ecosystem.level == 3
    assert core.data_classes == ("customer-pii",)
    assert core.depends_on == ("hsm",)
    assert core.tags == ("crown-jewel",)
    assert core.migration_years == 5.0
    assert core.source == "context.yaml:8"
    assert hsm.name == "hsm" and hsm.owner is None
    assert (hsm.retention_years, hsm.signature_lifetime_years) == (12.5, 20.0)
    assert hsm.vendor_controlled is True
    assert web.data_classes == ("logs",)  # a single name is a list of one
    assert web.ecosystem is Ecosystem.CUSTOMER_FACING
    assert ctx.rules == (
        MappingRule(
            "core-banking", MatchKind.CIDR, "10.1.0.0/16", ("endpoint",), "context.yaml:29"
        ),
        MappingRule("core-banking", MatchKind.CIDR, "fd00::/8", ("endpoint",), "context.yaml:29"),
        MappingRule("web", MatchKind.HOST, "*.example.test", (), "context.yaml:32"),
        MappingRule("web", MatchKind.PORT, "8000-8100", (), "context.yaml:34"),
        MappingRule("core-banking", MatchKind.PATH, "*/opt/core/*", (), "context.yaml:36"),
        MappingRule("hsm", MatchKind.TAG, "hsm", (), "context.yaml:38"),
        MappingRule("hsm", MatchKind.PURL, "pkg:maven/com.thales/*", (), "context.yaml:40"),
        MappingRule("hsm", MatchKind.ASSET, "hsm-01", (), "context.yaml:42"),
    )
    assert len(ctx.sha256) == 64 and ctx.sha256 == context_sha256(ctx)


def test_yaml_and_csv_load_to_the_same_context() -> None:
    from_yaml = parse_context([("context.yaml", GOOD_YAML)]).context
    from_csv = parse_context(
        [
            ("services.csv", SERVICES_CSV),
            ("classes.csv", DATA_CLASSES_CSV),
            ("mappings.csv", MAPPINGS_CSV),
        ],
        name="bank",
    ).context
    assert without_sources(from_csv) == without_sources(from_yaml)
    assert from_csv.sha256 == from_yaml.sha256
    assert from_csv.services[0].source == "services.csv:3"
    assert from_csv.rules[0].source == "mappings.csv:2"


def test_yaml_and_csv_parts_combine_into_one_context() -> None:
    head = GOOD_YAML.split("mappings:")[0]
    combined = parse_context([("context.yaml", head), ("mappings.csv", MAPPINGS_CSV)]).context
    assert without_sources(combined) == without_sources(
        parse_context([("context.yaml", GOOD_YAML)]).context
    )


def test_sha256_is_deterministic_and_ignores_layout_but_not_meaning() -> None:
    a = parse_context([("context.yaml", GOOD_YAML)]).context
    b = parse_context([("context.yaml", GOOD_YAML)]).context
    assert a.sha256 == b.sha256
    # comments and line moves change sources, not the hash
    moved = parse_context([("other.yaml", "# a comment\n\n" + GOOD_YAML)]).context
    assert moved.services[0].source == "other.yaml:10"
    assert moved.sha256 == a.sha256
    # the order services are declared in does not matter (they are sorted by id)
    core_block, rest = GOOD_YAML.split("  - id: hsm\n")
    services_head, core = core_block.split("services:\n")
    hsm_block, tail = rest.split("  - id: web\n")
    web_block, mappings = tail.split("mappings:\n")
    reordered = (
        f"{services_head}services:\n  - id: web\n{web_block}  - id: hsm\n{hsm_block}"
        f"{core}mappings:\n{mappings}"
    )
    assert parse_context([("context.yaml", reordered)]).context.sha256 == a.sha256
    changed = parse_context([("context.yaml", GOOD_YAML.replace("impact: 3", "impact: 2"))])
    assert changed.context.sha256 != a.sha256
    assert context_sha256(replace(a, name="other")) != a.sha256


def test_name_comes_from_option_then_yaml_then_file() -> None:
    assert parse_context([("context.yaml", GOOD_YAML)], name="x").context.name == "x"
    assert parse_context([("dir/ops.csv", "id,impact\na,3\n")]).context.name == "ops"
    problems = problems_of([("a.yaml", "name: one\n"), ("b.yaml", "name: two\n")])
    assert problems == [
        "b.yaml:1: the files name different contexts ('one' at a.yaml:1, 'two'); "
        "load them separately"
    ]


# (name, YAML text, exact problems)
INVALID_YAML: list[tuple[str, str, list[str]]] = [
    (
        "impact out of range",
        "services:\n  - id: core-banking\n    impact: 7\n",
        ["context.yaml:3: service 'core-banking': impact must be 1-5, got 7"],
    ),
    (
        "impact of the wrong type",
        "services:\n  - id: core-banking\n    impact: high\n",
        ["context.yaml:3: service 'core-banking': impact must be a whole number 1-5, got 'high'"],
    ),
    (
        "impact given as a boolean",
        "services:\n  - id: a\n    impact: yes\n",
        ["context.yaml:3: service 'a': impact must be a whole number 1-5, got true"],
    ),
    (
        "missing required keys",
        "services:\n  - name: No id\n    owner: x\n  - id: b\n",
        [
            "context.yaml:2: service #1: missing required key 'id'",
            "context.yaml:2: service #1: missing required key 'impact'",
            "context.yaml:4: service 'b': missing required key 'impact'",
        ],
    ),
    (
        "unknown top-level key",
        "name: bank\nservces: []\n",
        ["context.yaml:2: unknown key 'servces' (did you mean 'services'?)"],
    ),
    (
        "unknown service key",
        "services:\n  - id: a\n    impact: 3\n    retention: 10\n",
        ["context.yaml:4: service 'a': unknown key 'retention' (did you mean 'retention_years'?)"],
    ),
    (
        "duplicate key",
        "services:\n  - id: a\n    impact: 3\n    impact: 4\n",
        ["context.yaml:4: service 'a': duplicate key 'impact' (first at line 3)"],
    ),
    (
        "negative years",
        "services:\n  - id: a\n    impact: 3\n    migration_years: -2\n",
        ["context.yaml:4: service 'a': migration_years must be between 0 and 100 years, got -2"],
    ),
    (
        "a calendar year instead of a duration",
        "services:\n  - id: a\n    impact: 3\n    retention_years: 2035\n",
        [
            "context.yaml:4: service 'a': retention_years must be between 0 and 100 years, "
            "got 2035 (a duration, not a calendar year)"
        ],
    ),
    (
        "years of the wrong type",
        "data_classes:\n  pii: ten\n",
        ["context.yaml:2: data class 'pii': retention_years must be a number of years, got 'ten'"],
    ),
    (
        "data class without retention",
        "data_classes:\n  pii:\n    description: KYC\n",
        ["context.yaml:2: data class 'pii': missing required key 'retention_years'"],
    ),
    (
        "unknown ecosystem",
        "services:\n  - id: a\n    impact: 3\n    ecosystem: interbnak\n",
        ["context.yaml:4: service 'a': unknown ecosystem 'interbnak' (did you mean 'interbank'?)"],
    ),
    (
        "unknown data class",
        "data_classes:\n  customer-pii: 10\nservices:\n  - id: a\n    impact: 3\n"
        "    data_classes:\n      - customer-pii\n      - custmer-pii\n",
        [
            "context.yaml:8: service 'a': unknown data class 'custmer-pii' "
            "(did you mean 'customer-pii'?)"
        ],
    ),
    (
        "duplicate service ids",
        "services:\n  - id: a\n    impact: 3\n  - id: a\n    impact: 4\n",
        ["context.yaml:4: duplicate service id 'a' (first declared at context.yaml:2)"],
    ),
    (
        "dependency on an unknown service",
        "services:\n  - id: a\n    impact: 3\n    depends_on: [ledger]\n",
        ["context.yaml:4: service 'a': depends on unknown service 'ledger' (one of a)"],
    ),
    (
        "dependency on itself",
        "services:\n  - id: a\n    impact: 3\n    depends_on: a\n",
        ["context.yaml:4: service 'a': depends on itself"],
    ),
    (
        "service id that is not a short name",
        "services:\n  - id: Core Banking\n    impact: 3\n",
        [
            "context.yaml:2: service id 'Core Banking' must be a short name: letters, digits, "
            "'.', '_' and '-'"
        ],
    ),
    (
        "text field given a boolean",
        "services:\n  - id: a\n    impact: 3\n    owner: no\n",
        ["context.yaml:4: service 'a': owner must be text, got false (put text in quotes)"],
    ),
    (
        "flag of the wrong type",
        "services:\n  - id: a\n    impact: 3\n    vendor_controlled: maybe\n",
        ["context.yaml:4: service 'a': vendor_controlled must be true or false, got 'maybe'"],
    ),
    (
        "mapping to an unknown service",
        "services:\n  - id: core-banking\n    impact: 3\n"
        "mappings:\n  - service: core-bankng\n    cidr: 10.0.0.0/8\n",
        ["context.yaml:5: mapping: unknown service 'core-bankng' (did you mean 'core-banking'?)"],
    ),
    (
        "invalid cidr",
        "services:\n  - {id: a, impact: 3}\nmappings:\n  - {service: a, cidr: 10.0.0.0/33}\n",
        [
            "context.yaml:4: mapping for 'a': invalid cidr '10.0.0.0/33': '10.0.0.0/33' does not "
            "appear to be an IPv4 or IPv6 network"
        ],
    ),
    (
        "cidr with host bits",
        "services:\n  - {id: a, impact: 3}\nmappings:\n  - {service: a, cidr: 10.1.2.3/16}\n",
        [
            "context.yaml:4: mapping for 'a': cidr '10.1.2.3/16' has host bits set "
            "(did you mean 10.1.0.0/16?)"
        ],
    ),
    (
        "invalid port",
        "services:\n  - {id: a, impact: 3}\nmappings:\n  - {service: a, port: 70000}\n"
        "  - {service: a, port: 9-2}\n",
        [
            "context.yaml:4: mapping for 'a': port must be 1-65535 or a range like 8000-8100, "
            "got '70000'",
            "context.yaml:5: mapping for 'a': port must be 1-65535 or a range like 8000-8100, "
            "got '9-2'",
        ],
    ),
    (
        "invalid globs",
        "services:\n  - {id: a, impact: 3}\nmappings:\n  - {service: a, host: 'a b'}\n"
        "  - {service: a, path: '/etc/[pki'}\n  - {service: a, purl: 'npm/x'}\n"
        "  - {service: a, tag: ''}\n",
        [
            "context.yaml:4: mapping for 'a': invalid host glob 'a b': a host name, address or "
            "glob (letters, digits, '.', '-', '*', '?')",
            "context.yaml:5: mapping for 'a': invalid path glob '/etc/[pki': '[' without ']'",
            "context.yaml:6: mapping for 'a': invalid purl glob 'npm/x': a purl starts with 'pkg:'",
            "context.yaml:7: mapping for 'a': empty tag pattern",
        ],
    ),
    (
        "mapping with no pattern or two",
        "services:\n  - {id: a, impact: 3}\nmappings:\n  - service: a\n"
        "  - {service: a, cidr: 10.0.0.0/8, host: x}\n",
        [
            "context.yaml:4: mapping for 'a': needs one of cidr, host, port, path, purl, tag, "
            "asset",
            "context.yaml:5: mapping for 'a': has both cidr and host (one kind of pattern per "
            "mapping)",
        ],
    ),
    (
        "asset types a rule can never match",
        "services:\n  - {id: a, impact: 3}\nmappings:\n"
        "  - {service: a, cidr: 10.0.0.0/8, asset_types: [certificate]}\n"
        "  - {service: a, host: x, asset_types: [cert]}\n",
        [
            "context.yaml:4: mapping for 'a': a cidr rule matches endpoint assets, never "
            "certificate",
            "context.yaml:5: mapping for 'a': unknown asset type 'cert' (one of certificate, key, "
            "csr, keystore, file, endpoint, package, hardware)",
        ],
    ),
    (
        "not valid YAML",
        "name: bank\nservices:\n  - id: a\n   impact: 3\n",
        ["context.yaml:4: not valid YAML: expected <block end>, but found '<block mapping start>'"],
    ),
    (
        "not a mapping",
        "- a\n- b\n",
        [
            "context.yaml:1: a context file is a mapping with name, data_classes, services and "
            "mappings"
        ],
    ),
    ("empty", "", ["context.yaml:1: empty context file"]),
    (
        "services not a list",
        "services:\n  id: a\n",
        ["context.yaml:2: services must be a list"],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for _, t, e in INVALID_YAML], ids=[n for n, _, _ in INVALID_YAML]
)
def test_invalid_yaml_reports_each_problem_with_its_line(text: str, expected: list[str]) -> None:
    assert problems_of([("context.yaml", text)]) == expected


INVALID_CSV: list[tuple[str, str, str, list[str]]] = [
    (
        "unknown column",
        "services.csv",
        "id,impact,impct\na,3,\n",
        ["services.csv:1: unknown column 'impct' (did you mean 'impact'?)"],
    ),
    (
        "missing column",
        "services.csv",
        "id,name\na,A\n",
        ["services.csv:1: services CSV: missing required column 'impact'"],
    ),
    (
        "bad values with their row",
        "services.csv",
        "id,impact,retention_years,vendor_controlled,ecosystem\n"
        "a,3,,,\n\n# comment\nb,9,x,maybe,bank\n",
        [
            "services.csv:5: service 'b': impact must be 1-5, got 9",
            "services.csv:5: service 'b': retention_years must be a number of years, got 'x'",
            "services.csv:5: service 'b': unknown ecosystem 'bank' (one of internal, "
            "supplier-managed, customer-facing, interbank, payment-network, regulator)",
            "services.csv:5: service 'b': vendor_controlled must be true or false, got 'maybe'",
        ],
    ),
    (
        "a quoted cell over two lines keeps the record's first line",
        "services.csv",
        'id,name,impact\na,"two\nlines",3\nb,B,0\n',
        ["services.csv:4: service 'b': impact must be 1-5, got 0"],
    ),
    (
        "too many cells",
        "services.csv",
        "id,impact\na,3,extra\n",
        ["services.csv:2: 3 cells but the header has 2 columns"],
    ),
    (
        "mapping kinds and patterns",
        "mappings.csv",
        "service,kind,pattern\nx,ip,10.0.0.0/8\nx,port,0\nx,host,\ny,tag,atm\n",
        [
            "mappings.csv:2: mapping for 'x': unknown kind 'ip' (one of cidr, host, port, path, "
            "purl, tag, asset)",
            "mappings.csv:3: mapping for 'x': port must be 1-65535 or a range like 8000-8100, "
            "got '0'",
            "mappings.csv:4: mapping for 'x': missing required key 'pattern'",
            "mappings.csv:5: mapping: unknown service 'y' (one of x)",
        ],
    ),
    (
        "unrecognised header",
        "odd.csv",
        "a,b\n1,2\n",
        [
            "odd.csv:1: cannot tell what this CSV holds: a services file has columns id and "
            "impact, a mappings file service, kind and pattern, a data classes file data_class "
            "and retention_years"
        ],
    ),
    (
        "duplicate data class",
        "classes.csv",
        "data_class,retention_years\npii,10\npii,7\n",
        ["classes.csv:3: duplicate data class 'pii' (first at classes.csv:2)"],
    ),
    (
        "unknown file type",
        "context.txt",
        "x",
        ["context.txt:1: unknown file type: use .yaml, .yml or .csv"],
    ),
]


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [(f, t, e) for _, f, t, e in INVALID_CSV],
    ids=[n for n, _, _, _ in INVALID_CSV],
)
def test_invalid_csv_reports_each_problem_with_its_row(
    file: str, text: str, expected: list[str]
) -> None:
    declared = ("declared.csv", "id,impact\nx,3\n")  # a service for the mapping rows
    assert problems_of([declared, (file, text)]) == expected


def test_problems_from_several_files_come_in_file_then_line_order() -> None:
    problems = problems_of(
        [
            ("services.csv", "id,impact\na,9\nb,0\n"),
            ("context.yaml", "services:\n  - {id: c, impact: 6}\n"),
        ]
    )
    assert problems == [
        "services.csv:2: service 'a': impact must be 1-5, got 9",
        "services.csv:3: service 'b': impact must be 1-5, got 0",
        "context.yaml:2: service 'c': impact must be 1-5, got 6",
    ]


def test_all_problems_are_reported_up_to_a_limit() -> None:
    rows = "".join(f"s{i},9\n" for i in range(MAX_PROBLEMS + 5))
    with pytest.raises(ContextError) as info:
        parse_context([("services.csv", "id,impact\n" + rows)])
    assert isinstance(info.value, UsageError)
    assert len(info.value.problems) == MAX_PROBLEMS + 5
    message = str(info.value)
    assert message.startswith(f"{MAX_PROBLEMS + 5} problems:\n  services.csv:2: service 's0'")
    assert message.endswith("\n  ... and 5 more problems")


def test_a_cycle_between_services_is_a_warning_not_an_error() -> None:
    loaded = parse_context(
        [
            (
                "context.yaml",
                "services:\n"
                "  - {id: a, impact: 3, depends_on: [b]}\n"
                "  - {id: b, impact: 3, depends_on: [c]}\n"
                "  - {id: c, impact: 3, depends_on: [a, d]}\n"
                "  - {id: d, impact: 3, depends_on: [e]}\n"
                "  - {id: e, impact: 3, depends_on: [d]}\n"
                "  - {id: f, impact: 3, depends_on: [a]}\n",
            )
        ]
    )
    assert [str(w) for w in loaded.warnings] == [
        "context.yaml:2: services depend on each other in a cycle: a -> b -> c -> a "
        "(ranked as one migration cluster)",
        "context.yaml:5: services depend on each other in a cycle: d -> e -> d "
        "(ranked as one migration cluster)",
    ]
    assert [s.id for s in loaded.context.services] == ["a", "b", "c", "d", "e", "f"]


def test_files_are_read_from_disk_and_missing_ones_reported(tmp_path: Path) -> None:
    good = tmp_path / "ctx.yaml"
    good.write_text(GOOD_YAML, encoding="utf-8")
    bom = tmp_path / "services.csv"
    bom.write_bytes(b"\xef\xbb\xbfid,impact\ncore-banking,5\n")
    assert load_context_files([good]).context.name == "bank"
    assert load_context_files([bom]).context.services[0].id == "core-banking"  # BOM ignored
    with pytest.raises(ContextError) as info:
        load_context_files([good, tmp_path / "nope.yaml", tmp_path])
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'nope.yaml'}: no such file",
        f"{tmp_path}: is a folder, not a context file",
    ]


def test_shipped_samples_load() -> None:
    loaded = load_context_files([SAMPLES / "bank-context.yaml"])
    ctx = loaded.context
    assert loaded.warnings == ()
    assert ctx.name == "example-bank"
    services = {s.id: s for s in ctx.services}
    assert services["core-banking"].impact == 5
    assert services["core-banking"].ecosystem is Ecosystem.INTERBANK
    assert services["internet-banking"].ecosystem is Ecosystem.CUSTOMER_FACING
    assert services["payments-gateway"].ecosystem is Ecosystem.PAYMENT_NETWORK
    assert services["hr-portal"].impact == 2
    assert {d.name: d.retention_years for d in ctx.data_classes} == {
        "card-data": 7.0,
        "customer-pii": 10.0,
        "hr-records": 7.0,
        "operational-logs": 1.0,
        "transaction-records": 10.0,
    }
    assert {r.kind for r in ctx.rules} == set(MatchKind)
