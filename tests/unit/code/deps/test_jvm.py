"""JVM dependency files: pom.xml, Gradle build scripts, gradle.lockfile."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.code.deps import parser_for
from pqcscan.collectors.code.deps.jvm import (
    MAX_WARNINGS,
    PARSERS,
    interpolate,
    maven_purl,
    parse_gradle,
    parse_gradle_lockfile,
    parse_pom,
    strip_comments,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

DATA = Path(__file__).parent / "data" / "jvm"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_name(result: DependencyFile) -> dict[str, Package]:
    return {p.name: p for p in result.packages}


def pom(dependencies: str, extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.examplebank</groupId>
  <artifactId>probe</artifactId>
  <version>1.0.0</version>
  {extra}
  <dependencies>{dependencies}</dependencies>
</project>
""".encode()


def dep(group: str, artifact: str, version: str | None = None, more: str = "") -> str:
    v = f"<version>{version}</version>" if version is not None else ""
    coords = f"<groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
    return f"<dependency>{coords}{v}{more}</dependency>"


# ---------------------------------------------------------------- purls and detection


@pytest.mark.parametrize(
    ("group", "artifact", "version", "purl"),
    [
        (
            "org.bouncycastle",
            "bcprov-jdk18on",
            "1.78.1",
            "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1",
        ),
        ("org.bouncycastle", "bc-fips", None, "pkg:maven/org.bouncycastle/bc-fips"),
        ("com.example", "lib", "2.0.0-SNAPSHOT", "pkg:maven/com.example/lib@2.0.0-SNAPSHOT"),
    ],
)
def test_maven_purl(group: str, artifact: str, version: str | None, purl: str) -> None:
    assert maven_purl(group, artifact, version) == purl


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("pom.xml", "pom"),
        ("payments/gateway/pom.xml", "pom"),
        ("build.gradle", "gradle"),
        ("build.gradle.kts", "gradle"),
        ("app/build.gradle.kts", "gradle"),
        ("gradle/dependencies.gradle", "gradle"),
        ("settings.gradle", None),
        ("settings.gradle.kts", None),
        ("gradle.lockfile", "gradle-lockfile"),
        ("buildscript-gradle.lockfile", "gradle-lockfile"),
        ("gradle/dependency-locks/compileClasspath.lockfile", "gradle-lockfile"),
        ("other.lockfile", None),
        ("gradle.properties", None),
        ("pom.xml.bak", None),
        ("bom.xml", None),
    ],
)
def test_detection(name: str, kind: str | None) -> None:
    kinds = [p.kind for p in PARSERS if p.matches(name, b"")]
    assert kinds == ([kind] if kind else [])
    if kind and "/" not in name:
        found = parser_for(name, b"")
        assert found is not None and found.kind == kind


# ---------------------------------------------------------------- pom.xml


def test_pom_direct_dependencies_and_interpolation() -> None:
    result = parse_pom("pom.xml", read("pom.xml"))
    assert result.kind == "pom"
    assert result.project == "payments-gateway"
    packages = by_name(result)
    bcprov = packages["org.bouncycastle:bcprov-jdk18on"]
    assert bcprov.purl == "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1"
    assert bcprov.version == "1.78.1" and bcprov.requirement == "1.78.1"
    assert bcprov.direct is True and bcprov.scope == "compile" and bcprov.line == 63
    assert bcprov.ecosystem == "maven"
    # ${project.groupId} / ${project.version} / ${parent.version}
    sibling = packages["com.examplebank.payments:payments-crypto"]
    assert sibling.version == "2.14.0-SNAPSHOT"
    security = packages["org.springframework.boot:spring-boot-starter-security"]
    assert security.version == "3.2.5" and security.scope == "runtime"
    assert packages["jakarta.servlet:jakarta.servlet-api"].scope == "provided"
    assert packages["com.nimbusds:nimbus-jose-jwt"].scope == "optional"
    assert packages["com.nimbusds:nimbus-jose-jwt"].version == "9.37.3"
    # a profile's dependencies count too
    assert packages["org.bouncycastle:bc-fips"].version == "1.0.2.4"
    assert packages["org.bouncycastle:bc-fips"].line == 120


def test_pom_dependency_management() -> None:
    result = parse_pom("pom.xml", read("pom.xml"))
    packages = by_name(result)
    # versionless dependency: version (through ${bc.version} -> ${bouncycastle.version})
    # and line from its own declaration, not the managed one
    bcpkix = packages["org.bouncycastle:bcpkix-jdk18on"]
    assert bcpkix.version == "1.78.1" and bcpkix.direct is True and bcpkix.line == 68
    # managed scope applies
    junit = packages["org.junit.jupiter:junit-jupiter"]
    assert junit.version == "5.10.2" and junit.scope == "test" and junit.line == 110
    # import-scoped BOM: direct, scope import
    bom = packages["com.fasterxml.jackson:jackson-bom"]
    assert bom.scope == "import" and bom.direct is True and bom.version == "2.17.1"
    assert bom.line == 32
    # managed but unused here: direct None
    bcutil = packages["org.bouncycastle:bcutil-jdk18on"]
    assert bcutil.direct is None and bcutil.version == "1.78.1" and bcutil.line == 44
    names = [p.name for p in result.packages]
    assert len(names) == len(set(names)) == 14
    # versionless and unmanaged: managed by the parent POM
    web = packages["org.springframework.boot:spring-boot-starter-web"]
    assert web.version is None and web.requirement is None
    assert web.purl == "pkg:maven/org.springframework.boot/spring-boot-starter-web"
    assert any(
        "line 59:" in w and "spring-boot-starter-web: no version" in w for w in result.warnings
    )


def test_pom_unresolved_ranges_and_self_references() -> None:
    result = parse_pom("pom.xml", read("pom.xml"))
    packages = by_name(result)
    jjwt = packages["io.jsonwebtoken:jjwt-api"]
    assert jjwt.version is None and jjwt.requirement == "[0.12.0,0.13.0)"
    hsm = packages["com.examplebank:hsm-client"]
    assert hsm.version is None and hsm.requirement == "${hsm.client.version}"
    loop = packages["com.examplebank:legacy-crypto"]
    assert loop.version is None and loop.requirement == "${self.loop}"
    assert any(
        "hsm-client: version ${hsm.client.version} not resolved" in w for w in result.warnings
    )


def test_pom_edges() -> None:
    result = parse_pom("pom.xml", read("pom.xml"))
    direct = {p.purl for p in result.packages if p.direct}
    assert set(result.edges) == {("", purl) for purl in direct}
    assert ("", "pkg:maven/org.bouncycastle/bcutil-jdk18on@1.78.1") not in result.edges


def test_pom_without_namespace() -> None:
    result = parse_pom("pom.xml", read("pom-plain.xml"))
    assert result.project == "keytool-audit"
    assert [(p.name, p.version, p.scope, p.line) for p in result.packages] == [
        ("org.bouncycastle:bcprov-jdk15on", "1.70", "compile", 10),
        ("junit:junit", "4.13.2", "test", 15),
    ]


def test_interpolation_is_bounded() -> None:
    props = {"a": "${b}", "b": "${a}", "x": "1.0", "y": "${x}.${x}"}
    assert interpolate("${y}", props) == "1.0.1.0"
    assert interpolate("${a}", props) is None
    assert interpolate("${missing}", props) is None
    assert interpolate("plain", props) == "plain"
    grow = {f"p{i}": "${p" + str(i + 1) + "}${p" + str(i + 1) + "}" for i in range(40)}
    grow["p40"] = "x" * 10
    assert interpolate("${p0}", grow) is None


def test_pom_exponential_properties_are_bounded() -> None:
    props = "".join(f"<p{i}>${{p{i + 1}}}${{p{i + 1}}}</p{i}>" for i in range(30))
    text = pom(
        dep("org.bouncycastle", "bcprov-jdk18on", "${p0}"),
        f"<properties>{props}<p30>1</p30></properties>",
    )
    (package,) = parse_pom("pom.xml", text).packages
    assert package.version is None and package.requirement == "${p0}"


def test_pom_tolerates_oddities() -> None:
    text = pom(
        dep(
            "org.bouncycastle",
            "bcprov-jdk18on",
            " 1.78 ",
            "<scope>test</scope><optional>true</optional>",
        )
        + "<dependency><groupId>x</groupId></dependency>"
        + "<dependency><artifactId>no-group</artifactId><version>1</version></dependency>"
        + dep("a.b", "c", "${project.version}")
    )
    result = parse_pom("pom.xml", text)
    assert [(p.name, p.version, p.scope) for p in result.packages] == [
        ("org.bouncycastle:bcprov-jdk18on", "1.78", "test"),
        ("a.b:c", "1.0.0", "compile"),
    ]
    assert len(result.warnings) == 2


def test_pom_many_unresolved_versions_cap_warnings() -> None:
    text = pom("".join(dep("g", f"a{i}", "${v}") for i in range(70)))
    result = parse_pom("pom.xml", text)
    assert len(result.packages) == 70
    assert len(result.warnings) == MAX_WARNINGS + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "empty"),
        (b"<project><dependencies>", "invalid XML"),
        (b"<settings/>", "not a Maven POM"),
        (b"<project xmlns='urn:not-maven'/>", "not a Maven POM"),
        (b"\x00\x00\x00", "invalid XML"),
        (b"<project><name>caf\xe9</name></project>", "invalid XML"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
            b' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
            b' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\n'
            b"]>\n<project><artifactId>&lol2;</artifactId></project>",
            "refused XML",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b"<project><artifactId>&xxe;</artifactId></project>",
            "refused XML",
        ),
    ],
)
def test_pom_broken(text: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message):
        parse_pom("pom.xml", text)


def test_pom_truncated() -> None:
    data = read("pom.xml")
    for cut in (100, len(data) // 2, len(data) - 20):
        with pytest.raises(CodeParseError, match="invalid XML"):
            parse_pom("pom.xml", data[:cut])


def test_pom_deep_nesting() -> None:
    text = b"<project>" + b"<a>" * 50000 + b"</a>" * 50000 + b"</project>"
    with contextlib.suppress(CodeParseError):
        assert parse_pom("pom.xml", text).packages == ()


# ---------------------------------------------------------------- Gradle (Groovy)


def test_gradle_groovy_dependencies() -> None:
    result = parse_gradle("build.gradle", read("build.gradle"))
    assert result.kind == "gradle" and result.project is None
    packages = {(p.name, p.scope): p for p in result.packages}
    bom = packages[("org.springframework.boot:spring-boot-dependencies", "import")]
    assert bom.version == "3.2.5" and bom.line == 26
    web = packages[("org.springframework.boot:spring-boot-starter-web", "compile")]
    assert web.version is None and web.requirement is None
    # $bcVersion and ${bcVersion} from the ext block
    bcprov = packages[("org.bouncycastle:bcprov-jdk18on", "compile")]
    assert bcprov.purl == "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1"
    assert bcprov.line == 28 and bcprov.direct is True
    assert packages[("org.bouncycastle:bcpkix-jdk18on", "compile")].version == "1.78.1"
    # map notation, with a bare variable and with a literal
    assert packages[("com.google.crypto.tink:tink", "compile")].version == "1.13.0"
    assert packages[("io.jsonwebtoken:jjwt-api", "compile")].version == "0.12.5"
    # def jjwtVersion
    assert packages[("io.jsonwebtoken:jjwt-impl", "runtime")].version == "0.12.5"
    assert packages[("org.projectlombok:lombok", "provided")].line == 33
    assert packages[("org.projectlombok:lombok", "build")].line == 34
    assert packages[("com.nimbusds:nimbus-jose-jwt", "compile")].version == "9.37.3"
    dynamic = packages[("org.apache.httpcomponents.client5:httpclient5", "compile")]
    assert dynamic.version is None and dynamic.requirement == "5.3.+"
    assert packages[("org.junit.jupiter:junit-jupiter", "test")].version == "5.10.2"
    assert packages[("org.postgresql:postgresql", "test")].line == 45
    assert len(result.packages) == 15


def test_gradle_groovy_comments_catalog_and_unresolved() -> None:
    result = parse_gradle("build.gradle", read("build.gradle"))
    names = {p.name for p in result.packages}
    # commented out (/* */ and //)
    assert "org.bouncycastle:bcprov-jdk15on" not in names
    assert "com.example:commented-out" not in names
    # project(':x') is not a package
    assert not any("treasury-common" in n for n in names)
    hsm = by_name(result)["com.examplebank:hsm-client"]
    assert hsm.version is None and hsm.requirement == "${hsmClientVersion}"
    assert result.warnings == (
        "line 35: version catalog reference libs.commons.codec not resolved "
        "(see gradle/libs.versions.toml)",
        "line 37: com.examplebank:hsm-client: version ${hsmClientVersion} not resolved",
    )
    assert set(result.edges) == {("", p.purl) for p in result.packages}


def test_gradle_kotlin_dsl() -> None:
    result = parse_gradle("build.gradle.kts", read("build.gradle.kts"))
    packages = {(p.name, p.scope): p for p in result.packages}
    assert packages[("io.ktor:ktor-bom", "import")].version == "2.3.11"
    assert packages[("io.ktor:ktor-server-netty", "compile")].version is None
    bcprov = packages[("org.bouncycastle:bcprov-jdk18on", "compile")]
    assert bcprov.version == "1.78.1" and bcprov.line == 22
    assert packages[("org.bouncycastle:bctls-jdk18on", "compile")].version == "1.78.1"
    bcpkix = packages[("org.bouncycastle:bcpkix-jdk18on", "compile")]
    assert bcpkix.version == "1.78.1" and bcpkix.line == 24
    assert packages[("ch.qos.logback:logback-classic", "runtime")].version == "1.5.6"
    assert packages[("io.ktor:ktor-server-test-host", "test")].line == 29
    mtls = packages[("com.examplebank:ktor-mtls", "compile")]
    assert mtls.version is None and mtls.requirement == "$ktorVersion"
    names = {p.name for p in result.packages}
    assert "org.bouncycastle:bcprov-debug-jdk18on" not in names  # commented out
    assert "org.example:not-a-dep" not in names  # in a comment after code
    assert len(result.packages) == 8
    assert any("libs.kotlinx.serialization.json" in w for w in result.warnings)


def test_gradle_variable_forms() -> None:
    text = b"""
ext.bcVersion = '1.77'
ext['tinkVersion'] = '1.12.0'
extra.set("circlVersion", "0.2.0")
val pqVersion by extra("0.9.0")
ext.versions = [bc: '1.78']
dependencies {
    implementation "org.bouncycastle:bcprov-jdk18on:${bcVersion}"
    implementation "com.google.crypto.tink:tink:$tinkVersion"
    implementation("com.example:circl-jni:${circlVersion}")
    implementation("org.openquantumsafe:liboqs-java:$pqVersion")
    implementation "org.bouncycastle:bcpkix-jdk18on:${project.ext.bcVersion}"
    implementation 'org.bouncycastle:bcutil-jdk18on:$bcVersion'
    implementation "org.bouncycastle:bctls-jdk18on:${versions.bc}"
    implementation "com.example:pinned:1.0!!"
    implementation "com.example:classified:2.0:linux-x86_64@jar"
    implementation "${groupVar}:name:1.0"
}
"""
    result = parse_gradle("build.gradle", text)
    versions = {p.name: p.version for p in result.packages}
    assert versions["org.bouncycastle:bcprov-jdk18on"] == "1.77"
    assert versions["com.google.crypto.tink:tink"] == "1.12.0"
    assert versions["com.example:circl-jni"] == "0.2.0"
    assert versions["org.openquantumsafe:liboqs-java"] == "0.9.0"
    assert versions["org.bouncycastle:bcpkix-jdk18on"] == "1.77"
    # single quotes do not interpolate in Groovy: not a version
    assert versions["org.bouncycastle:bcutil-jdk18on"] is None
    assert by_name(result)["org.bouncycastle:bcutil-jdk18on"].requirement == "$bcVersion"
    assert versions["org.bouncycastle:bctls-jdk18on"] is None
    assert versions["com.example:pinned"] == "1.0"
    assert versions["com.example:classified"] == "2.0"
    assert len(result.packages) == 9
    assert any("unresolved variable in ${groupVar}:name:1.0" in w for w in result.warnings)


def test_gradle_self_referencing_variables_are_bounded() -> None:
    text = b"""def a = "$b"
def b = "${a}"
def g = "${g}${g}"
dependencies {
    implementation "org.bouncycastle:bcprov-jdk18on:$a"
    implementation "org.bouncycastle:bcpkix-jdk18on:$g"
}
"""
    result = parse_gradle("build.gradle", text)
    assert [p.version for p in result.packages] == [None, None]
    assert len(result.warnings) == 2


def test_gradle_strings_with_comment_markers() -> None:
    text = b"""repositories { maven { url "https://repo.example.com/maven2" } }
dependencies {
    implementation 'org.bouncycastle:bcprov-jdk18on:1.78.1' /* trailing */ // and more
    implementation "com.example:a:1.0" // "com.example:b:2.0"
    /* implementation "com.example:c:3.0" */ implementation "com.example:d:4.0"
    implementation '''com.example:e:5.0'''
}
"""
    result = parse_gradle("build.gradle", text)
    assert [(p.name, p.line) for p in result.packages] == [
        ("org.bouncycastle:bcprov-jdk18on", 3),
        ("com.example:a", 4),
        ("com.example:d", 5),
    ]


def test_strip_comments_keeps_lines_and_strings() -> None:
    text = "a // x\n/* b\nc */ d \"e // f\" 'g /* h' i\n"
    stripped = strip_comments("t", text)
    assert stripped.count("\n") == text.count("\n")
    assert "x" not in stripped and "b" not in stripped and "c" not in stripped
    assert '"e // f"' in stripped and "'g /* h'" in stripped


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"dependencies {\n/* never closed\n", "line 2: unterminated /\\* comment"),
        (b'x = """never closed\n', "line 1: unterminated"),
        (b"implementation 'a:b:1'\x00", "binary"),
        (b"implementation 'caf\xe9:b:1'", "invalid UTF-8"),
    ],
)
def test_gradle_broken(text: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message):
        parse_gradle("build.gradle", text)


def test_gradle_empty_and_unterminated_single_quote() -> None:
    assert parse_gradle("build.gradle", b"").packages == ()
    result = parse_gradle("build.gradle", b"implementation 'a:b:1\nimplementation 'c:d:2'\n")
    assert [p.name for p in result.packages] == ["c:d"]


def test_gradle_huge_script_is_fast() -> None:
    lines = [f'    implementation "com.example:lib{i}:1.{i}.0" // n{i}' for i in range(20000)]
    text = ("dependencies {\n" + "\n".join(lines) + "\n}\n").encode()
    result = parse_gradle("build.gradle", text)
    assert len(result.packages) == 20000
    assert result.packages[-1].line == 20001


# ---------------------------------------------------------------- gradle.lockfile


def test_gradle_lockfile() -> None:
    result = parse_gradle_lockfile("gradle.lockfile", read("gradle.lockfile"))
    assert result.kind == "gradle-lockfile" and result.project is None
    packages = by_name(result)
    bcprov = packages["org.bouncycastle:bcprov-jdk18on"]
    assert bcprov.purl == "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1"
    assert bcprov.scope == "runtime" and bcprov.direct is None and bcprov.line == 8
    assert packages["org.junit.jupiter:junit-jupiter-api"].scope == "test"
    assert packages["org.projectlombok:lombok"].scope == "provided"
    assert packages["com.google.protobuf:protobuf-java"].scope == "runtime"
    assert len(result.packages) == 8


def test_legacy_per_configuration_lockfile() -> None:
    text = b"# comment\norg.bouncycastle:bcprov-jdk15on:1.70\n"
    (package,) = parse_gradle_lockfile("compileClasspath.lockfile", text).packages
    assert package.version == "1.70" and package.scope is None


@pytest.mark.parametrize(
    "text",
    [
        b"org.bouncycastle:bcprov-jdk18on=runtimeClasspath\n",
        b"org.bouncycastle:bcprov-jdk18on:1.78:extra=runtimeClasspath\n",
        b"::=x\n",
        b"a b:c:d=x\n",
        b"\x00\x01",
        b"g:a:\xff=x\n",
    ],
)
def test_gradle_lockfile_broken(text: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_gradle_lockfile("gradle.lockfile", text)


# ---------------------------------------------------------------- hostile input


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_never_crashes(data: bytes) -> None:
    for parse in (parse_pom, parse_gradle, parse_gradle_lockfile):
        with contextlib.suppress(CodeParseError):
            parse("pom.xml", data)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="implementation api(){}'\"$:./*\n\\gv1=,libs.platform", max_size=200))
def test_fuzz_gradle_like_text(text: str) -> None:
    with contextlib.suppress(CodeParseError):
        parse_gradle("build.gradle", text.encode())


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="${}.abcpv1 ,[]()", max_size=30),
    st.text(alphabet="${}.abcpv1 ", max_size=30),
)
def test_fuzz_pom_values(version: str, prop: str) -> None:
    from xml.sax.saxutils import escape

    text = pom(
        dep("g", "a", escape(version)),
        f"<properties><a>{escape(prop)}</a><b>${{a}}{escape(prop)}</b></properties>",
    )
    with contextlib.suppress(CodeParseError):
        parse_pom("pom.xml", text)


def test_pom_declared_encodings() -> None:
    latin1 = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<project>\n'
        b"  <name>Zahlungsverkehr \xe4\xf6\xfc</name>\n  <artifactId>zv</artifactId>\n"
        b"  <dependencies>\n    <dependency>\n      <groupId>org.bouncycastle</groupId>\n"
        b"      <artifactId>bcprov-jdk18on</artifactId>\n      <version>1.78.1</version>\n"
        b"    </dependency>\n  </dependencies>\n</project>\n"
    )
    (package,) = parse_pom("pom.xml", latin1).packages
    assert package.version == "1.78.1" and package.line == 8
    with pytest.raises(CodeParseError, match="unreadable XML"):
        parse_pom("pom.xml", b'<?xml version="1.0" encoding="UF-8"?><project/>')


@pytest.mark.parametrize(
    ("fixture", "name", "kind"),
    [
        ("pom.xml", "pom.xml", "pom"),
        ("pom-plain.xml", "pom.xml", "pom"),
        ("build.gradle", "build.gradle", "gradle"),
        ("build.gradle.kts", "build.gradle.kts", "gradle"),
        ("gradle.lockfile", "gradle.lockfile", "gradle-lockfile"),
    ],
)
def test_fixtures_route_to_their_parser(fixture: str, name: str, kind: str) -> None:
    found = parser_for(name, read(fixture)[:4096])
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    "data",
    [
        b" " * 200_000 + b"\n",
        b"\t" * 100_000 + b"x = 'y'",
        b"def" + b" " * 100_000 + b"x",
        b"{implementation " * 40_000,
        b";api '" * 40_000,
        b"'" + b"\\" * 200_000,
        b"/" * 200_000 + b"\n" + b"x/" * 100_000,
        b"implementation platform(" * 20_000,
        b'implementation "a:b:' + b"$x" * 50_000 + b'"\n',
    ],
)
def test_gradle_hostile_shapes_finish(data: bytes) -> None:
    # Each of these took minutes with a backtracking or quadratic scan.
    with contextlib.suppress(CodeParseError):
        parse_gradle("build.gradle", data)


def test_empty_lockfile() -> None:
    assert parse_gradle_lockfile("gradle.lockfile", b"").packages == ()
    assert parse_gradle_lockfile("gradle.lockfile", b"# only comments\nempty=\n").packages == ()


def test_gradle_constraints_and_spring_dependency_management() -> None:
    result = parse_gradle("build.gradle", read("build-managed.gradle"))
    rows = [(p.name, p.version, p.direct, p.scope, p.line) for p in result.packages]
    assert rows == [
        ("org.springframework.cloud:spring-cloud-dependencies", "2023.0.1", True, "import", 8),
        # the managed version applies; that managed entry is not listed again
        ("org.bouncycastle:bcutil-jdk18on", "1.78.1", None, "compile", 12),
        ("org.bouncycastle:bcprov-jdk18on", "1.78.1", True, "compile", 17),
        ("org.springframework.cloud:spring-cloud-starter-vault-config", None, True, "compile", 18),
        ("org.bouncycastle:bcpkix-jdk18on", "1.78.1", None, "compile", 21),
        ("org.junit.jupiter:junit-jupiter", "5.10.2", True, "test", 26),
    ]
    assert set(result.edges) == {("", p.purl) for p in result.packages if p.direct}
    assert len(result.edges) == 4


def test_gradle_unclosed_constraints_block() -> None:
    text = b"dependencies {\n  constraints {\n    implementation 'a:b:1.0'\n"
    (package,) = parse_gradle("build.gradle", text).packages
    assert package.direct is None and result_edges_empty(text)


def result_edges_empty(text: bytes) -> bool:
    return parse_gradle("build.gradle", text).edges == ()


def test_gradle_call_spanning_lines() -> None:
    text = b"""dependencies {
    implementation(
        "org.bouncycastle:bcprov-jdk18on:1.78.1"
    )
    implementation(platform(
        "io.ktor:ktor-bom:2.3.11"))
}
"""
    rows = [(p.name, p.scope, p.line) for p in parse_gradle("build.gradle.kts", text).packages]
    assert rows == [
        ("org.bouncycastle:bcprov-jdk18on", "compile", 2),
        ("io.ktor:ktor-bom", "import", 5),
    ]
