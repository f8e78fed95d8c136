"""Validation of EVerest definition files the way an EVerest manager does it.

The meta-schemas in ``schemas/`` carry the same constraints as EVerest's framework schemas. On top
of them the manager (framework ``config.cpp``) checks two things this module reproduces:

* every var, command argument and command result must itself be a valid draft-07 schema, checked
  with EVerest's own format rules, under which a ``$ref`` must look like ``/ocpp#/SecurityEvent``;
* every configuration default must satisfy its own entry.

``$ref`` targets are the ``types`` mappings of the type files, registered under ``/<file stem>``
(see :func:`type_registry`). The manager's validator also fills in schema defaults, which
``jsonschema`` does not; :func:`apply_interface_defaults` and :func:`apply_manifest_defaults` do it.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from everest_ocpp.everest.yamlfile import load_everest_yaml

SCHEMA_DIR = Path(__file__).with_name("schemas")
DRAFT7_URI = "http://json-schema.org/draft-07/schema"

# EVerest's rule for `format: uri-reference`, which the draft-07 meta-schema puts on every `$ref`.
TYPE_REF_PATTERN = re.compile(r"^(/[A-Za-z0-9_-]+)+#/[A-Za-z0-9_-]+$")
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$"
)

Json = Any


class DefinitionError(ValueError):
    """A definition file or configuration breaks EVerest's rules; ``problems`` lists every finding."""

    def __init__(self, what: str, problems: list[str]) -> None:
        super().__init__(f"{what}: " + "; ".join(problems))
        self.what = what
        self.problems = problems


# --------------------------------------------------------------------------- formats


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or "://" in value


def _is_type_ref(value: object) -> bool:
    return not isinstance(value, str) or TYPE_REF_PATTERN.match(value) is not None


def _is_date_time(value: object) -> bool:
    # Own check: jsonschema only checks date-time when an optional extra package is installed.
    if not isinstance(value, str):
        return True
    m = _RFC3339.match(value)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        dt.datetime(year, month, day, hour, minute, min(second, 59))  # RFC 3339 allows a leap second
    except ValueError:
        return False
    offset_ok = m.group(9) is None or (int(m.group(9)) <= 23 and int(m.group(10)) <= 59)
    return second <= 60 and offset_ok


def everest_format_checker() -> FormatChecker:
    """A format checker with EVerest's rules for ``uri`` and ``uri-reference`` (and a strict date-time)."""
    checker = FormatChecker()
    checker.checks("uri")(_is_uri)
    checker.checks("uri-reference")(_is_type_ref)
    checker.checks("date-time")(_is_date_time)
    return checker


FORMAT_CHECKER = everest_format_checker()


# --------------------------------------------------------------------------- loading


def load_yaml(path: Path) -> Json:
    """Read a definition file with EVerest's YAML scalar rules."""
    return load_everest_yaml(path)


@functools.cache
def metaschema(name: str) -> Json:
    """One of the bundled meta-schemas: manifest, interface, type, config or error-declaration-list."""
    return load_yaml(SCHEMA_DIR / f"{name}.yaml")


def _draft7_registry() -> Registry:
    return Registry().with_resource(DRAFT7_URI, DRAFT7.create_resource(Draft7Validator.META_SCHEMA))


@functools.cache
def _metaschema_validator(name: str) -> Draft7Validator:
    return Draft7Validator(metaschema(name), registry=_draft7_registry(), format_checker=FORMAT_CHECKER)


_DRAFT7_META = Draft7Validator(
    Draft7Validator.META_SCHEMA, registry=_draft7_registry(), format_checker=FORMAT_CHECKER
)


def type_files(types_dir: Path) -> dict[str, Path]:
    """Type files below ``types_dir`` keyed by stem; like the manager, subfolders are flattened."""
    found: dict[str, Path] = {}
    for path in sorted(types_dir.rglob("*.yaml")):
        if path.stem in found:
            raise DefinitionError(
                str(path), [f"type file stem {path.stem!r} also used by {found[path.stem]}"]
            )
        found[path.stem] = path
    return found


def type_registry(types_dir: Path | Mapping[str, Mapping[str, Json]]) -> Registry:
    """A registry resolving ``$ref: /<stem>#/<Type>`` to the ``types`` mapping of ``types/<stem>.yaml``.

    Accepts a directory or already loaded type files (stem -> file content). The draft-07 meta-schema
    is registered as well. Validate with a root schema that has no ``$id``.
    """
    if isinstance(types_dir, Path):
        docs: Mapping[str, Mapping[str, Json]] = {s: load_yaml(p) for s, p in type_files(types_dir).items()}
    else:
        docs = types_dir
    resources: list[tuple[str, Resource[Json]]] = [
        (f"/{stem}", DRAFT7.create_resource(doc.get("types") or {})) for stem, doc in docs.items()
    ]
    return _draft7_registry().with_resources(resources)


def value_validator(schema: Mapping[str, Json], registry: Registry) -> Draft7Validator:
    """A validator for values of a var, argument or result schema (``$ref`` resolved via ``registry``)."""
    return Draft7Validator(schema, registry=registry, format_checker=FORMAT_CHECKER)


# --------------------------------------------------------------------------- validation


def _messages(validator: Draft7Validator, instance: Json, prefix: str = "") -> list[str]:
    out = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path)
        out.append(f"{prefix}{where or '<root>'}: {err.message}")
    return out


def _schema_problems(schema: Json, where: str) -> list[str]:
    # The manager strips descriptions before this check; they never matter to the draft-07 meta-schema.
    return _messages(_DRAFT7_META, schema, prefix=f"{where}: ")


def _raise(what: str, problems: list[str]) -> None:
    if problems:
        raise DefinitionError(what, problems)


def validate_manifest(doc: Json, what: str = "manifest") -> None:
    """Raise :class:`DefinitionError` unless ``doc`` is a manifest the manager accepts."""
    problems = _messages(_metaschema_validator("manifest"), doc)
    if not problems:
        sets = [("config", doc.get("config") or {})]
        sets += [
            (f"provides/{i}/config", p.get("config") or {}) for i, p in (doc.get("provides") or {}).items()
        ]
        for where, entries in sets:
            for key, entry in entries.items():
                if "default" in entry:
                    problems += _messages(
                        value_validator(entry, _draft7_registry()),
                        entry["default"],
                        prefix=f"{where}/{key}/default: ",
                    )
    _raise(what, problems)


def validate_interface(doc: Json, what: str = "interface") -> None:
    """Raise :class:`DefinitionError` unless ``doc`` is an interface definition the manager accepts."""
    problems = _messages(_metaschema_validator("interface"), doc)
    if not problems:
        for name, var in (doc.get("vars") or {}).items():
            problems += _schema_problems(var, f"vars/{name}")
        for name, cmd in (doc.get("cmds") or {}).items():
            for arg, schema in (cmd.get("arguments") or {}).items():
                problems += _schema_problems(schema, f"cmds/{name}/arguments/{arg}")
            if "result" in cmd:
                problems += _schema_problems(cmd["result"], f"cmds/{name}/result")
    _raise(what, problems)


def validate_type_file(doc: Json, what: str = "type file") -> None:
    """Raise :class:`DefinitionError` unless ``doc`` is a type file the manager accepts."""
    _raise(what, _messages(_metaschema_validator("type"), doc))


def validate_error_list(doc: Json, what: str = "error list") -> None:
    """Raise :class:`DefinitionError` unless ``doc`` is an error list file the manager accepts."""
    _raise(what, _messages(_metaschema_validator("error-declaration-list"), doc))


def validate_runtime_config(doc: Json, what: str = "runtime config") -> None:
    """Raise :class:`DefinitionError` unless ``doc`` is an EVerest runtime config the manager accepts."""
    _raise(what, _messages(_metaschema_validator("config"), doc))


def iter_refs(node: Json) -> Iterable[str]:
    """Every ``$ref`` value anywhere inside ``node``."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


# --------------------------------------------------------------------------- error references

_ERROR_REF = re.compile(r"^/errors/(?P<file>[A-Za-z0-9_]+)(#/(?P<name>[A-Za-z0-9]+))?$")


def error_list_files(errors_dir: Path) -> dict[str, Path]:
    """Error list files keyed by stem: ``/errors/<stem>`` names ``<errors_dir>/<stem>.yaml``."""
    return {p.stem: p for p in sorted(errors_dir.glob("*.yaml"))} if errors_dir.is_dir() else {}


def resolve_error_refs(
    refs: Iterable[Mapping[str, Json]], lists: Mapping[str, Mapping[str, Json]]
) -> tuple[dict[str, dict[str, dict[str, str]]], list[str]]:
    """An interface's ``errors`` references resolved like the manager does (``replace_error_refs``).

    ``lists`` maps an error list's stem to its loaded file. Returns ``{namespace: {name: {"name",
    "description", "namespace"}}}`` (the shape the manager publishes) and the references that do not
    resolve.
    """
    resolved: dict[str, dict[str, dict[str, str]]] = {}
    problems: list[str] = []
    for entry in refs:
        ref = str(entry.get("reference", ""))
        match = _ERROR_REF.match(ref)
        doc = lists.get(match["file"]) if match else None
        if match is None or doc is None:
            problems.append(f"{ref}: no such error list")
            continue
        wanted = match["name"]
        found = [e for e in doc.get("errors") or [] if wanted is None or e.get("name") == wanted]
        if wanted is not None and not found:
            problems.append(f"{ref}: error list {match['file']} has no error {wanted}")
        namespace = resolved.setdefault(match["file"], {})
        for error in found:
            namespace[error["name"]] = {
                "name": error["name"],
                "description": error.get("description", ""),
                "namespace": match["file"],
            }
    return resolved, problems


# --------------------------------------------------------------------------- defaults


def apply_interface_defaults(doc: Mapping[str, Json]) -> dict[str, Json]:
    """A copy of an interface definition with the defaults the manager fills in."""
    out = copy.deepcopy(dict(doc))
    out.setdefault("cmds", {})
    out.setdefault("vars", {})
    out.setdefault("errors", [])
    result_default = metaschema("interface")["definitions"]["result"]["default"]
    for cmd in out["cmds"].values():
        cmd.setdefault("arguments", {})
        cmd.setdefault("result", copy.deepcopy(result_default))
    for var in out["vars"].values():
        var.setdefault("qos", 2)
    return out


def apply_manifest_defaults(doc: Mapping[str, Json]) -> dict[str, Json]:
    """A copy of a manifest with the defaults the manager fills in."""
    out = copy.deepcopy(dict(doc))
    for key in ("config", "provides", "requires", "metadata"):
        out.setdefault(key, {})
    for key in ("enable_external_mqtt", "enable_telemetry", "enable_global_errors"):
        out.setdefault(key, False)
    config_sets = [out["config"]]
    for impl in out["provides"].values():
        config_sets.append(impl.setdefault("config", {}))
    for entries in config_sets:
        for entry in entries.values():
            entry.setdefault("mutability", "ReadOnly")
    for req in out["requires"].values():
        req.setdefault("min_connections", 1)
        req.setdefault("max_connections", 1)
        if "ignore" in req:
            req["ignore"].setdefault("errors", False)
    return out


def resolve_config_values(
    entries: Mapping[str, Json], values: Mapping[str, Json], what: str = "config"
) -> tuple[dict[str, Json], list[str]]:
    """Check configuration ``values`` against manifest config ``entries`` and fill in defaults.

    Follows the manager: unknown keys are returned (to be logged) and otherwise ignored; a missing key
    without default or an invalid value raises :class:`DefinitionError`.
    Returns ``(complete values, unknown keys)``.
    """
    unknown = sorted(k for k in values if k not in entries)
    resolved: dict[str, Json] = {}
    problems: list[str] = []
    for key, entry in entries.items():
        if key in values:
            value = values[key]
        elif "default" in entry:
            value = entry["default"]
        else:
            problems.append(f"{key}: missing and has no default")
            continue
        problems += _messages(value_validator(entry, _draft7_registry()), value, prefix=f"{key}: ")
        resolved[key] = value
    _raise(what, problems)
    return resolved, unknown
