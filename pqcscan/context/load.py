"""Read business-context files (YAML and CSV) into a validated :class:`BusinessContext`.

One ``pqcscan context load`` call builds **one** context from all the files it is given: a
YAML file may hold everything (name, data classes, services, mappings); CSV files hold one
kind of record each, recognised by their header (services, mappings or data classes), so a
CMDB export can sit beside a hand-written YAML file. The format is in ``docs/context.md``.

Validation reports every problem at once, each with its ``file:line`` (PyYAML node marks for
YAML, the record's first line for CSV), then raises :class:`~.problems.ContextError` (a usage
error: exit 2). Dependency cycles between services are allowed (the risk model ranks a cycle
as one migration cluster) and come back as warnings.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pqcscan.context.document import with_sha256
from pqcscan.context.model import (
    BusinessContext,
    DataClass,
    Ecosystem,
    MappingRule,
    MatchKind,
    Service,
)
from pqcscan.context.patterns import KIND_ASSET_TYPES, check_glob, parse_cidr, parse_port
from pqcscan.context.problems import ContextError, Problem, Problems, suggest
from pqcscan.results import AssetType

TOP_KEYS = ("name", "data_classes", "services", "mappings")
DATA_CLASS_KEYS = ("retention_years", "description")
SERVICE_KEYS = (
    "id",
    "name",
    "owner",
    "impact",
    "data_classes",
    "retention_years",
    "signature_lifetime_years",
    "ecosystem",
    "vendor_controlled",
    "migration_years",
    "depends_on",
    "tags",
)
KINDS = tuple(k.value for k in MatchKind)
MAPPING_KEYS = ("service", *KINDS, "asset_types")
CSV_SERVICE_COLUMNS = SERVICE_KEYS
CSV_MAPPING_COLUMNS = ("service", "kind", "pattern", "asset_types")
CSV_DATA_CLASS_COLUMNS = ("data_class", "retention_years", "description")
ASSET_TYPES = tuple(t.value for t in AssetType)
ECOSYSTEMS = tuple(e.value for e in Ecosystem)
#: Longest plausible duration; larger numbers are usually a calendar year typed by mistake.
MAX_YEARS = 100.0
MAX_NAME = 200

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


@dataclass(frozen=True, slots=True)
class LoadedContext:
    """A validated context, its warnings, and the files it came from."""

    context: BusinessContext
    warnings: tuple[Problem, ...] = ()
    files: tuple[str, ...] = ()


# -- raw declarations, the same shape from YAML and CSV ------------------------------------


@dataclass(frozen=True, slots=True)
class _Loc:
    """A place: ``where`` for messages (the path as given), ``source`` for the model."""

    display: str
    name: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.display}:{self.line}"

    @property
    def source(self) -> str:
        return f"{self.name}:{self.line}"


@dataclass(frozen=True, slots=True)
class _Raw:
    """One declared value. ``text``: from CSV, a string still to be parsed."""

    value: object
    loc: _Loc
    text: bool = False
    item_locs: tuple[_Loc, ...] = ()


@dataclass(slots=True)
class _Entry:
    loc: _Loc
    fields: dict[str, _Raw] = field(default_factory=dict)


@dataclass(slots=True)
class _Declarations:
    names: list[tuple[str, _Loc]] = field(default_factory=list)
    data_classes: list[_Entry] = field(default_factory=list)
    services: list[_Entry] = field(default_factory=list)
    mappings: list[_Entry] = field(default_factory=list)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


# -- YAML ------------------------------------------------------------------------------------


class _YamlReader:
    """Walks PyYAML's node tree, so every value keeps its line."""

    def __init__(self, text: str, display: str, problems: Problems) -> None:
        self.text = text
        self.display = display
        self.name = Path(display).name
        self.problems = problems
        self.out = _Declarations()

    def loc(self, node: yaml.Node) -> _Loc:
        return _Loc(self.display, self.name, node.start_mark.line + 1)

    def read(self) -> _Declarations:
        try:  # the reader refuses some characters (NUL...) as soon as it is made
            loader = yaml.SafeLoader(self.text)
        except yaml.YAMLError as exc:
            self.problems.add(f"{self.display}:1", f"not valid YAML: {exc}")
            return self.out
        try:
            try:
                root = loader.get_single_node()
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                line = mark.line + 1 if mark is not None else 1
                self.problems.add(f"{self.display}:{line}", f"not valid YAML: {exc.problem}")
                return self.out
            except yaml.YAMLError as exc:
                self.problems.add(f"{self.display}:1", f"not valid YAML: {exc}")
                return self.out
            except RecursionError:
                self.problems.add(f"{self.display}:1", "not valid YAML: nested too deeply")
                return self.out
            if root is None:
                self.problems.add(f"{self.display}:1", "empty context file")
                return self.out
            self._root(loader, root)
        finally:
            loader.dispose()
        return self.out

    def value(self, loader: yaml.SafeLoader, node: yaml.Node) -> object:
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.problems.add(self.loc(node).where, f"not valid YAML: {exc}")
            return None

    def items(
        self, node: yaml.MappingNode, label: str, allowed: Sequence[str]
    ) -> list[tuple[str, yaml.Node, _Loc]]:
        """(key, value node, key location) of a mapping; reports odd and unknown keys."""
        out: list[tuple[str, yaml.Node, _Loc]] = []
        seen: dict[str, _Loc] = {}
        prefix = f"{label}: " if label else ""
        for knode, vnode in node.value:
            kloc = self.loc(knode)
            if not isinstance(knode, yaml.ScalarNode) or not isinstance(knode.value, str):
                self.problems.add(kloc.where, f"{prefix}keys must be names")
                continue
            key = knode.value
            if key in seen:
                self.problems.add(
                    kloc.where, f"{prefix}duplicate key {key!r} (first at line {seen[key].line})"
                )
                continue
            seen[key] = kloc
            if allowed and key not in allowed:
                self.problems.add(kloc.where, f"{prefix}unknown key {key!r}{suggest(key, allowed)}")
                continue
            out.append((key, vnode, kloc))
        return out

    def raw(self, loader: yaml.SafeLoader, node: yaml.Node) -> _Raw:
        item_locs: tuple[_Loc, ...] = ()
        if isinstance(node, yaml.SequenceNode):
            item_locs = tuple(self.loc(n) for n in node.value)
        return _Raw(self.value(loader, node), self.loc(node), item_locs=item_locs)

    def _root(self, loader: yaml.SafeLoader, root: yaml.Node) -> None:
        if not isinstance(root, yaml.MappingNode):
            self.problems.add(
                self.loc(root).where,
                "a context file is a mapping with name, data_classes, services and mappings",
            )
            return
        for key, vnode, _ in self.items(root, "", TOP_KEYS):
            loc = self.loc(vnode)
            if key == "name":
                value = self.value(loader, vnode)
                if isinstance(value, str) and value.strip():
                    self.out.names.append((value.strip(), loc))
                else:
                    self.problems.add(loc.where, f"name must be text, got {_show(value)}")
            elif key == "data_classes":
                self._data_classes(loader, vnode)
            else:
                self._list(loader, vnode, key)

    def _data_classes(self, loader: yaml.SafeLoader, node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag.endswith("null"):
            return
        if not isinstance(node, yaml.MappingNode):
            self.problems.add(
                self.loc(node).where,
                "data_classes must be a mapping of data class name to retention years",
            )
            return
        for key, vnode, kloc in self.items(node, "data_classes", ()):
            entry = _Entry(kloc, {"name": _Raw(key, kloc)})
            label = f"data class {key!r}"
            if isinstance(vnode, yaml.MappingNode):
                for k, v, _ in self.items(vnode, label, DATA_CLASS_KEYS):
                    entry.fields[k] = self.raw(loader, v)
            elif isinstance(vnode, yaml.ScalarNode):
                entry.fields["retention_years"] = self.raw(loader, vnode)
            else:
                self.problems.add(
                    self.loc(vnode).where,
                    f"{label}: give its retention years, or retention_years and description",
                )
                continue
            self.out.data_classes.append(entry)

    def _list(self, loader: yaml.SafeLoader, node: yaml.Node, key: str) -> None:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith("null"):
            return
        what = "services" if key == "services" else "mappings"
        if not isinstance(node, yaml.SequenceNode):
            self.problems.add(self.loc(node).where, f"{what} must be a list")
            return
        allowed = SERVICE_KEYS if key == "services" else MAPPING_KEYS
        target = self.out.services if key == "services" else self.out.mappings
        for i, item in enumerate(node.value, 1):
            loc = self.loc(item)
            noun = "service" if key == "services" else "mapping"
            if not isinstance(item, yaml.MappingNode):
                self.problems.add(loc.where, f"{noun} #{i} must be a mapping of keys to values")
                continue
            label = self._label(loader, item, noun, i)
            entry = _Entry(loc)
            for k, v, _ in self.items(item, label, allowed):
                entry.fields[k] = self.raw(loader, v)
            target.append(entry)

    def _label(self, loader: yaml.SafeLoader, node: yaml.MappingNode, noun: str, i: int) -> str:
        key = "id" if noun == "service" else "service"
        for knode, vnode in node.value:
            if (
                isinstance(knode, yaml.ScalarNode)
                and knode.value == key
                and isinstance(vnode, yaml.ScalarNode)
                and vnode.value
            ):
                what = "service" if noun == "service" else "mapping for"
                return f"{what} {vnode.value!r}"
        return f"{noun} #{i}"


# -- CSV -------------------------------------------------------------------------------------


def _column(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _read_csv(text: str, display: str, problems: Problems) -> _Declarations:
    out = _Declarations()
    name = Path(display).name
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    kind = ""
    allowed: tuple[str, ...] = ()
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(f"{display}:{start}", f"not valid CSV: {exc}")
            return out
        line = start
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        loc = _Loc(display, name, line)
        if header is None:
            header = [_column(c) for c in row]
            kind, allowed = _csv_kind(header, loc, problems)
            if not kind:
                return out
            continue
        if len(row) > len(header):
            problems.add(loc.where, f"{len(row)} cells but the header has {len(header)} columns")
            continue
        entry = _Entry(loc)
        for column, cell in zip(header, row, strict=False):
            if column in allowed and cell.strip() and column not in entry.fields:
                entry.fields[column] = _Raw(cell.strip(), loc, text=True)
        if kind == "data classes":
            if "data_class" in entry.fields:
                entry.fields["name"] = entry.fields.pop("data_class")
            out.data_classes.append(entry)
        elif kind == "services":
            out.services.append(entry)
        else:
            out.mappings.append(_csv_mapping(entry, problems))
    if header is None:
        problems.add(f"{display}:{line}", "empty CSV file: no header")
    return out


def _csv_kind(header: list[str], loc: _Loc, problems: Problems) -> tuple[str, tuple[str, ...]]:
    """Which kind of records this CSV holds, and its allowed columns; checks the header."""
    columns = set(header)
    allowed: tuple[str, ...]
    required: tuple[str, ...]
    if "service" in columns and ("pattern" in columns or "kind" in columns):
        kind, allowed, required = "mappings", CSV_MAPPING_COLUMNS, ("service", "kind", "pattern")
    elif "data_class" in columns:
        kind, allowed, required = (
            "data classes",
            CSV_DATA_CLASS_COLUMNS,
            ("data_class", "retention_years"),
        )
    elif "id" in columns or "impact" in columns:
        kind, allowed, required = "services", CSV_SERVICE_COLUMNS, ("id", "impact")
    else:
        problems.add(
            loc.where,
            "cannot tell what this CSV holds: a services file has columns id and impact, "
            "a mappings file service, kind and pattern, a data classes file data_class and "
            "retention_years",
        )
        return "", ()
    seen: set[str] = set()
    for column in header:
        if not column:
            problems.add(loc.where, "a column without a name")
        elif column in seen:
            problems.add(loc.where, f"duplicate column {column!r}")
        elif column not in allowed:
            problems.add(loc.where, f"unknown column {column!r}{suggest(column, allowed)}")
        seen.add(column)
    missing = [c for c in required if c not in columns]
    for column in missing:
        problems.add(loc.where, f"{kind} CSV: missing required column {column!r}")
    return ("", ()) if missing else (kind, allowed)


def _csv_mapping(entry: _Entry, problems: Problems) -> _Entry:
    """A ``service, kind, pattern`` row in the YAML shape (``{kind: pattern}``)."""
    fields = dict(entry.fields)
    kind = fields.pop("kind", None)
    pattern = fields.pop("pattern", None)
    label = _mapping_label(entry)
    if kind is None or pattern is None:
        missing = "kind" if kind is None else "pattern"
        problems.add(entry.loc.where, f"{label}: missing required key {missing!r}")
        fields["_invalid"] = _Raw("", entry.loc)
    else:
        k = str(kind.value).strip().lower()
        if k in KINDS:
            fields[k] = pattern
        else:
            problems.add(entry.loc.where, f"{label}: unknown kind {k!r}{suggest(k, KINDS)}")
            fields["_invalid"] = pattern
    return _Entry(entry.loc, fields)


# -- values ----------------------------------------------------------------------------------


class _Builder:
    """Turns declarations (from any format) into checked model values."""

    def __init__(self, problems: Problems) -> None:
        self.p = problems

    def text(self, raw: _Raw, label: str, key: str) -> str | None:
        if isinstance(raw.value, str):
            return raw.value.strip()
        hint = " (put text in quotes)" if isinstance(raw.value, bool | int | float) else ""
        self.p.add(raw.loc.where, f"{label}: {key} must be text, got {_show(raw.value)}{hint}")
        return None

    def years(self, raw: _Raw, label: str, key: str) -> float | None:
        value: object = raw.value
        if raw.text:
            with contextlib.suppress(ValueError):
                value = float(str(value))
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.p.add(
                raw.loc.where, f"{label}: {key} must be a number of years, got {_show(raw.value)}"
            )
            return None
        years = float(value)
        if not 0 <= years <= MAX_YEARS:
            hint = " (a duration, not a calendar year)" if 1900 <= years <= 2300 else ""
            self.p.add(
                raw.loc.where,
                f"{label}: {key} must be between 0 and {MAX_YEARS:g} years, got {years:g}{hint}",
            )
            return None
        return years

    def impact(self, raw: _Raw, label: str) -> int | None:
        value: object = raw.value
        if raw.text and re.fullmatch(r"[+-]?\d+", str(value)):
            value = int(str(value))
        if isinstance(value, bool) or not isinstance(value, int):
            self.p.add(
                raw.loc.where,
                f"{label}: impact must be a whole number 1-5, got {_show(raw.value)}",
            )
            return None
        if not 1 <= value <= 5:
            self.p.add(raw.loc.where, f"{label}: impact must be 1-5, got {value}")
            return None
        return value

    def flag(self, raw: _Raw, label: str, key: str) -> bool | None:
        value = raw.value
        if raw.text:
            word = str(value).strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        elif isinstance(value, bool):
            return value
        self.p.add(raw.loc.where, f"{label}: {key} must be true or false, got {_show(value)}")
        return None

    def names(self, raw: _Raw, label: str, key: str) -> list[tuple[str, _Loc]]:
        """A list of names: a YAML list or single name, or a ``;``-separated CSV cell."""
        value = raw.value
        if raw.text:
            return [(v.strip(), raw.loc) for v in str(value).split(";") if v.strip()]
        if isinstance(value, str):
            return [(value.strip(), raw.loc)] if value.strip() else []
        if value is None:
            return []
        if isinstance(value, list):
            out: list[tuple[str, _Loc]] = []
            for i, item in enumerate(value):
                loc = raw.item_locs[i] if i < len(raw.item_locs) else raw.loc
                if isinstance(item, str) and item.strip():
                    out.append((item.strip(), loc))
                else:
                    self.p.add(loc.where, f"{label}: {key} must list names, got {_show(item)}")
            return out
        self.p.add(raw.loc.where, f"{label}: {key} must be a list of names, got {_show(value)}")
        return []

    def slug(self, value: str, loc: _Loc, what: str) -> bool:
        if _SLUG.match(value):
            return True
        self.p.add(
            loc.where,
            f"{what} {value!r} must be a short name: letters, digits, '.', '_' and '-'",
        )
        return False


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _service_label(entry: _Entry, index: int) -> str:
    raw = entry.fields.get("id")
    if raw is not None and isinstance(raw.value, str) and raw.value.strip():
        return f"service {raw.value.strip()!r}"
    return f"service #{index}"


def _mapping_label(entry: _Entry) -> str:
    raw = entry.fields.get("service")
    if raw is not None and isinstance(raw.value, str) and raw.value.strip():
        return f"mapping for {raw.value.strip()!r}"
    return "mapping"


@dataclass(slots=True)
class _Built:
    data_classes: dict[str, tuple[DataClass, _Loc]] = field(default_factory=dict)
    services: dict[str, tuple[Service, _Loc]] = field(default_factory=dict)
    #: (service id, referenced name, where) for the checks that need every service first.
    class_refs: list[tuple[str, str, _Loc]] = field(default_factory=list)
    #: Every well-formed id / name declared, valid or not, with its first place: references
    #: to a declared but invalid entry are not reported again as unknown.
    service_ids: dict[str, _Loc] = field(default_factory=dict)
    class_names: dict[str, _Loc] = field(default_factory=dict)
    dependency_refs: list[tuple[str, str, _Loc]] = field(default_factory=list)
    rules: list[tuple[MappingRule, _Raw]] = field(default_factory=list)


def _build_data_classes(b: _Builder, entries: Iterable[_Entry], out: _Built) -> None:
    for entry in entries:
        name_raw = entry.fields.get("name")
        name = b.text(name_raw, "data class", "name") if name_raw else None
        if name_raw is None or name is None:
            b.p.add(entry.loc.where, "data class: missing required key 'data_class'")
            continue
        if not b.slug(name, entry.loc, "data class name"):
            continue
        label = f"data class {name!r}"
        if name in out.class_names:
            first = out.class_names[name]
            b.p.add(entry.loc.where, f"duplicate data class {name!r} (first at {first.where})")
            continue
        out.class_names[name] = entry.loc
        raw = entry.fields.get("retention_years")
        if raw is None:
            b.p.add(entry.loc.where, f"{label}: missing required key 'retention_years'")
            continue
        years = b.years(raw, label, "retention_years")
        desc_raw = entry.fields.get("description")
        description = (b.text(desc_raw, label, "description") if desc_raw else "") or ""
        if years is not None:
            out.data_classes[name] = (DataClass(name, years, description), entry.loc)


def _optional_years(b: _Builder, f: dict[str, _Raw], label: str, key: str) -> float | None:
    raw = f.get(key)
    return b.years(raw, label, key) if raw is not None else None


def _build_services(b: _Builder, entries: Iterable[_Entry], out: _Built) -> None:
    for i, entry in enumerate(entries, 1):
        f = entry.fields
        label = _service_label(entry, i)
        id_raw = f.get("id")
        sid = b.text(id_raw, label, "id") if id_raw else None
        if id_raw is None:
            b.p.add(entry.loc.where, f"{label}: missing required key 'id'")
        elif sid is not None and not b.slug(sid, id_raw.loc, "service id"):
            sid = None
        impact = None
        if "impact" not in f:
            b.p.add(entry.loc.where, f"{label}: missing required key 'impact'")
        else:
            impact = b.impact(f["impact"], label)
        name = b.text(f["name"], label, "name") if "name" in f else None
        owner = b.text(f["owner"], label, "owner") if "owner" in f else None
        retention = _optional_years(b, f, label, "retention_years")
        sig = _optional_years(b, f, label, "signature_lifetime_years")
        migration = _optional_years(b, f, label, "migration_years")
        ecosystem = Ecosystem.INTERNAL
        if "ecosystem" in f:
            word = b.text(f["ecosystem"], label, "ecosystem")
            if word is not None:
                try:
                    ecosystem = Ecosystem(word.lower())
                except ValueError:
                    b.p.add(
                        f["ecosystem"].loc.where,
                        f"{label}: unknown ecosystem {word!r}{suggest(word.lower(), ECOSYSTEMS)}",
                    )
        vendor = False
        if "vendor_controlled" in f:
            vendor = bool(b.flag(f["vendor_controlled"], label, "vendor_controlled"))
        classes = b.names(f["data_classes"], label, "data_classes") if "data_classes" in f else []
        depends = b.names(f["depends_on"], label, "depends_on") if "depends_on" in f else []
        tags = [t.lower() for t, _ in b.names(f["tags"], label, "tags")] if "tags" in f else []
        if sid is not None and id_raw is not None:
            if sid in out.service_ids:
                first = out.service_ids[sid]
                b.p.add(
                    id_raw.loc.where,
                    f"duplicate service id {sid!r} (first declared at {first.where})",
                )
                continue
            out.service_ids[sid] = entry.loc
            out.class_refs.extend((sid, n, loc) for n, loc in classes)
            out.dependency_refs.extend((sid, n, loc) for n, loc in depends)
        if sid is None or impact is None:
            continue
        service = Service(
            id=sid,
            name=name or sid,
            owner=owner or None,
            impact=impact,
            data_classes=tuple(dict.fromkeys(n for n, _ in classes)),
            retention_years=retention,
            signature_lifetime_years=sig,
            ecosystem=ecosystem,
            vendor_controlled=vendor,
            migration_years=migration,
            depends_on=tuple(dict.fromkeys(n for n, _ in depends)),
            tags=tuple(dict.fromkeys(tags)),
            source=entry.loc.source,
        )
        out.services[sid] = (service, entry.loc)


def _check_references(b: _Builder, out: _Built) -> None:
    classes = sorted(out.class_names)
    for sid, name, loc in out.class_refs:
        if name not in out.class_names:
            hint = suggest(name, classes) if classes else " (no data classes declared)"
            b.p.add(loc.where, f"service {sid!r}: unknown data class {name!r}{hint}")
    for sid, name, loc in out.dependency_refs:
        if name == sid:
            b.p.add(loc.where, f"service {sid!r}: depends on itself")
        elif name not in out.service_ids:
            b.p.add(
                loc.where,
                f"service {sid!r}: depends on unknown service {name!r}"
                + suggest(name, sorted(out.service_ids)),
            )


def _patterns(b: _Builder, raw: _Raw, label: str, kind: MatchKind) -> list[str]:
    values: list[tuple[object, _Loc]]
    if isinstance(raw.value, list):
        values = [
            (v, raw.item_locs[i] if i < len(raw.item_locs) else raw.loc)
            for i, v in enumerate(raw.value)
        ]
        if not values:
            b.p.add(raw.loc.where, f"{label}: empty list of {kind.value} patterns")
    else:
        values = [(raw.value, raw.loc)]
    out: list[str] = []
    for value, loc in values:
        if kind is MatchKind.PORT and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            b.p.add(loc.where, f"{label}: {kind.value} must be text, got {_show(value)}")
            continue
        try:
            if kind is MatchKind.CIDR:
                out.append(parse_cidr(value).with_prefixlen)
            elif kind is MatchKind.PORT:
                low, high = parse_port(value)
                out.append(str(low) if low == high else f"{low}-{high}")
            else:
                out.append(check_glob(kind, value))
        except ValueError as exc:
            b.p.add(loc.where, f"{label}: {exc}")
    return out


def _build_mappings(b: _Builder, entries: Iterable[_Entry], out: _Built) -> None:
    services = sorted(out.service_ids)
    for entry in entries:
        f = entry.fields
        label = _mapping_label(entry)
        service: str | None = None
        if "service" not in f:
            b.p.add(entry.loc.where, f"{label}: missing required key 'service'")
        else:
            service = b.text(f["service"], label, "service")
            if service is not None and service not in out.service_ids:
                b.p.add(
                    f["service"].loc.where,
                    f"mapping: unknown service {service!r}{suggest(service, services)}",
                )
                service = None
        if "_invalid" in f:
            continue
        kinds = [k for k in MatchKind if k.value in f]
        if not kinds:
            b.p.add(entry.loc.where, f"{label}: needs one of {', '.join(KINDS)}")
            continue
        if len(kinds) > 1:
            b.p.add(
                entry.loc.where,
                f"{label}: has both {kinds[0].value} and {kinds[1].value} "
                "(one kind of pattern per mapping)",
            )
            continue
        kind = kinds[0]
        types: list[str] = []
        if "asset_types" in f:
            for t, loc in b.names(f["asset_types"], label, "asset_types"):
                t = t.lower()
                if t not in ASSET_TYPES:
                    b.p.add(
                        loc.where, f"{label}: unknown asset type {t!r}{suggest(t, ASSET_TYPES)}"
                    )
                elif t not in KIND_ASSET_TYPES[kind]:
                    can = _and(sorted(KIND_ASSET_TYPES[kind]))
                    b.p.add(
                        loc.where,
                        f"{label}: a {kind.value} rule matches {can} assets, never {t}",
                    )
                else:
                    types.append(t)
        patterns = _patterns(b, f[kind.value], label, kind)
        if service is None or service not in out.services:
            continue
        raw = f[kind.value]
        for pattern in patterns:
            rule = MappingRule(service, kind, pattern, tuple(dict.fromkeys(types)), raw.loc.source)
            out.rules.append((rule, raw))


def _cycles(services: dict[str, Service]) -> list[list[str]]:
    """One cycle (a -> b -> ... -> a) per strongly connected group of 2+ services."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(services):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            deps = [d for d in services[node].depends_on if d in services and d != node]
            if i < len(deps):
                work.append((node, i + 1))
                nxt = deps[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    cycles = []
    for group in sorted(groups):
        members = set(group)
        first = group[0]
        # shortest way back to the first member, inside the group
        previous: dict[str, str] = {}
        frontier = [first]
        found = False
        while frontier and not found:
            following: list[str] = []
            for node in frontier:
                for dep in services[node].depends_on:
                    if dep not in members:
                        continue
                    if dep == first:
                        previous[first] = node
                        found = True
                        break
                    if dep not in previous:
                        previous[dep] = node
                        following.append(dep)
                if found:
                    break
            frontier = following
        path = [first]
        node = previous[first]
        while node != first:
            path.append(node)
            node = previous[node]
        path.append(first)
        cycles.append([path[0], *reversed(path[1:-1]), first])
    return cycles


def _build(decls: _Declarations, name: str, problems: Problems) -> LoadedContext:
    b = _Builder(problems)
    built = _Built()
    _build_data_classes(b, decls.data_classes, built)
    _build_services(b, decls.services, built)
    _check_references(b, built)
    _build_mappings(b, decls.mappings, built)
    problems.raise_if_any()
    services = {sid: s for sid, (s, _) in built.services.items()}
    warnings = []
    for cycle in _cycles(services):
        loc = built.services[cycle[0]][1]
        warnings.append(
            Problem(
                loc.where,
                "services depend on each other in a cycle: "
                + " -> ".join(cycle)
                + " (ranked as one migration cluster)",
            )
        )
    context = BusinessContext(
        name=name,
        data_classes=tuple(d for _, (d, _) in sorted(built.data_classes.items())),
        services=tuple(s for _, s in sorted(services.items())),
        rules=tuple(r for r, _ in built.rules),
    )
    return LoadedContext(with_sha256(context), tuple(warnings))


# -- entry points ----------------------------------------------------------------------------


def _file_kind(display: str) -> str:
    suffix = Path(display).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    return ""


def parse_context(files: Sequence[tuple[str, str]], name: str | None = None) -> LoadedContext:
    """Build one context from ``(display name, text)`` pairs; the suffix gives the format.

    The context's name is ``name``, else the YAML ``name:``, else the first file's stem.
    Raises :class:`~.problems.ContextError` listing every problem.
    """
    if not files:
        raise ContextError([Problem("context", "no context files given")])
    problems = Problems()
    decls = _Declarations()
    for display, text in files:
        kind = _file_kind(display)
        if kind == "yaml":
            part = _YamlReader(text, display, problems).read()
        elif kind == "csv":
            part = _read_csv(text, display, problems)
        else:
            problems.add(f"{display}:1", "unknown file type: use .yaml, .yml or .csv")
            continue
        decls.names.extend(part.names)
        decls.data_classes.extend(part.data_classes)
        decls.services.extend(part.services)
        decls.mappings.extend(part.mappings)
    chosen = _context_name(decls, files, name, problems)
    loaded = _build(decls, chosen, problems)
    return LoadedContext(loaded.context, loaded.warnings, tuple(d for d, _ in files))


def _context_name(
    decls: _Declarations, files: Sequence[tuple[str, str]], name: str | None, problems: Problems
) -> str:
    if name is not None:
        chosen = name.strip()
        if not chosen or len(chosen) > MAX_NAME or "\n" in chosen:
            problems.add("--name", f"a context name is 1-{MAX_NAME} characters on one line")
        return chosen
    distinct = dict.fromkeys(n for n, _ in decls.names)
    if len(distinct) > 1:
        (first, floc), *rest = decls.names
        other = next((n, loc) for n, loc in rest if n != first)
        problems.add(
            other[1].where,
            f"the files name different contexts ({first!r} at {floc.where}, {other[0]!r}); "
            "load them separately",
        )
    if decls.names:
        chosen = decls.names[0][0]
        if len(chosen) > MAX_NAME or "\n" in chosen:
            problems.add(
                decls.names[0][1].where, f"name must be 1-{MAX_NAME} characters on one line"
            )
        return chosen
    return Path(files[0][0]).stem


def load_context_files(paths: Sequence[Path | str], name: str | None = None) -> LoadedContext:
    """Read, validate and merge context files into one context (see :func:`parse_context`)."""
    texts: list[tuple[str, str]] = []
    problems = Problems()
    for path in paths:
        display = str(path)
        try:
            texts.append((display, Path(path).read_text(encoding="utf-8-sig")))
        except FileNotFoundError:
            problems.add(display, "no such file")
        except IsADirectoryError:
            problems.add(display, "is a folder, not a context file")
        except UnicodeDecodeError as exc:
            problems.add(display, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        except OSError as exc:
            problems.add(display, f"cannot read: {exc.strerror}")
    problems.raise_if_any()
    return parse_context(texts, name)
