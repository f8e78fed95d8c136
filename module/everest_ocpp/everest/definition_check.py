"""Whole-directory check of a module's EVerest definitions (manifest.yaml, interfaces/, types/, errors/).

Runs every rule the manager applies to the files one by one (see :mod:`metaschema`), and then the
cross-file rules: every ``$ref`` and every ``errors`` reference resolves, and every interface the
manifest names has a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from referencing import Registry
from referencing.exceptions import Unresolvable

from everest_ocpp.everest import metaschema


@dataclass(frozen=True)
class CheckedDefinitions:
    """The files as read (no defaults applied), plus the ``$ref`` registry built from the types."""

    manifest: dict[str, Any]
    interfaces: dict[str, dict[str, Any]]
    types: dict[str, dict[str, Any]]
    registry: Registry
    error_lists: dict[str, dict[str, Any]]


def unresolved_refs(docs: Iterable[tuple[str, Any]], registry: Registry) -> list[str]:
    """``"<where>: <ref>"`` for every ``$ref`` inside ``docs`` that ``registry`` cannot resolve."""
    resolver = registry.resolver()
    missing = []
    for where, doc in docs:
        for ref in metaschema.iter_refs(doc):
            try:
                resolver.lookup(ref)
            except Unresolvable:
                missing.append(f"{where}: {ref}")
    return missing


def check_definitions(root: Path) -> CheckedDefinitions:
    """Validate ``root``'s definitions; raise :class:`metaschema.DefinitionError` on the first bad file."""
    manifest = metaschema.load_yaml(root / "manifest.yaml")
    metaschema.validate_manifest(manifest, "manifest.yaml")

    types: dict[str, dict[str, Any]] = {}
    for stem, path in metaschema.type_files(root / "types").items():
        doc = metaschema.load_yaml(path)
        metaschema.validate_type_file(doc, f"types/{path.name}")
        types[stem] = doc

    interfaces: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "interfaces").glob("*.yaml")):
        doc = metaschema.load_yaml(path)
        metaschema.validate_interface(doc, f"interfaces/{path.name}")
        interfaces[path.stem] = doc

    error_lists: dict[str, dict[str, Any]] = {}
    for stem, path in metaschema.error_list_files(root / "errors").items():
        doc = metaschema.load_yaml(path)
        metaschema.validate_error_list(doc, f"errors/{path.name}")
        error_lists[stem] = doc

    registry = metaschema.type_registry(types)
    docs: list[tuple[str, Any]] = [(f"interfaces/{n}.yaml", d) for n, d in interfaces.items()]
    docs += [(f"types/{n}.yaml", d) for n, d in types.items()]
    problems = unresolved_refs(docs, registry) + _missing_interfaces(manifest, interfaces)
    for name, doc in interfaces.items():
        _, unresolved = metaschema.resolve_error_refs(doc.get("errors") or [], error_lists)
        problems += [f"interfaces/{name}.yaml: {p}" for p in unresolved]
    if problems:
        raise metaschema.DefinitionError(str(root), problems)
    return CheckedDefinitions(
        manifest=manifest, interfaces=interfaces, types=types, registry=registry, error_lists=error_lists
    )


def _missing_interfaces(manifest: Mapping[str, Any], interfaces: Mapping[str, Any]) -> list[str]:
    used = [(f"provides/{k}", v["interface"]) for k, v in (manifest.get("provides") or {}).items()]
    used += [(f"requires/{k}", v["interface"]) for k, v in (manifest.get("requires") or {}).items()]
    return [
        f"{where}: interface {name!r} has no interfaces/{name}.yaml"
        for where, name in used
        if name not in interfaces
    ]
