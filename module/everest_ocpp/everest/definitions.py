"""EVerest definitions of this module: manifest, interfaces, types and error lists, with compiled validators.

Validators are built once at start (never per call). ``$ref: /ocpp#/X`` resolves against the
``types:`` mapping of ``types/ocpp.yaml`` registered under the URI ``/ocpp``, and an interface's
``errors`` reference ``/errors/evse_manager`` names ``errors/evse_manager.yaml``, as the manager does.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

from .metaschema import DefinitionError, error_list_files, load_yaml, resolve_error_refs, type_files


def definitions_root() -> Path:
    """Directory holding manifest.yaml, interfaces/, types/ and errors/.

    A wheel bundles them as ``everest_ocpp/_definitions``; a source checkout (editable install,
    module.py) has them at the repository root.
    """
    here = Path(__file__).resolve()
    bundled = here.parents[1] / "_definitions"
    if (bundled / "manifest.yaml").is_file():
        return bundled
    repo = here.parents[3]
    if (repo / "manifest.yaml").is_file():
        return repo
    raise DefinitionError("manifest.yaml", [f"not found in {bundled} or {repo}"])


def _load_yaml(path: Path) -> Any:
    try:
        return load_yaml(path)
    except OSError as exc:
        raise DefinitionError(str(path), [f"cannot read: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(str(path), [f"not valid YAML: {exc}"]) from None


def bundle_refs(schema: Any, registry: Registry) -> Any:
    """A self-contained copy of ``schema`` for a compiled validator (no registry at run time).

    Referenced types are inlined, which validates fastest; only a type that refers to itself is
    kept once under ``definitions`` with a local ``$ref``. Draft-07 ignores siblings of ``$ref``.
    """
    definitions: dict[str, Any] = {}
    resolver = registry.resolver()

    def rewrite(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                if ref not in seen:
                    return rewrite(resolver.lookup(ref).contents, (*seen, ref))
                name = ref.strip("/").replace("#/", ".").replace("/", ".")
                if name not in definitions:
                    definitions[name] = {}  # reserve first: the type refers to itself
                    definitions[name] = rewrite(resolver.lookup(ref).contents, (ref,))
                return {"$ref": f"#/definitions/{name}"}
            return {k: rewrite(v, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v, seen) for v in node]
        return node

    root = rewrite(schema, ())
    if definitions and isinstance(root, dict):
        root = {**root, "definitions": definitions}
    return root


class Validator:
    """A draft-07 validator compiled once: a fast compiled check for every value, and on failure
    the reference validator (jsonschema) for a readable description of the problem.

    Formats stay annotations (as in EVerest, which validates nothing by default): callers send e.g.
    timestamps without an offset, and rejecting those would break existing integrations.
    """

    __slots__ = ("_fast", "_lazy", "_registry", "_schema", "_slow", "_uses")

    # a lazy validator is compiled at this many checks: a var that arrives often (a powermeter every
    # second per EVSE) is worth the compiled code (jsonschema: ~20x the time per value)
    HOT = 16

    def __init__(self, schema: dict[str, Any], registry: Registry, compiled: bool = True) -> None:
        self._schema = schema
        self._registry = registry
        self._slow: Draft7Validator | None = None
        # compiled on first use (interfaces hold many schemas a module never needs); values checked
        # rarely (most vars: a few per minute) are checked by jsonschema until they prove frequent,
        # since the compiled form's code costs memory
        self._fast: Any = None
        self._lazy = not compiled
        self._uses = 0

    def compile(self) -> None:
        if self._fast is None:
            try:
                # no detailed exceptions: a failure is described by jsonschema (error() below), and
                # without them the generated code is less than half the size (memory, compile time)
                self._fast = fastjsonschema.compile(
                    bundle_refs(self._schema, self._registry),
                    use_formats=False,
                    detailed_exceptions=False,
                    # a value checked by jsonschema before it was hot had no defaults filled in, and
                    # neither may it after (fastjsonschema would write them into the caller's value)
                    use_default=not self._lazy,
                )
            except fastjsonschema.JsonSchemaDefinitionException:
                self._fast = False

    @property
    def compiled(self) -> bool:
        return bool(self._fast)

    def error(self, value: Any) -> str | None:
        """None if valid, else a one-line description of the first problem."""
        if self._fast is None:
            if not self._lazy or self._uses >= self.HOT:
                self.compile()
            else:
                self._uses += 1
        if self._fast:
            try:
                self._fast(value)
                return None
            except fastjsonschema.JsonSchemaValueException:
                pass
        if self._slow is None:
            self._slow = Draft7Validator(self._schema, registry=self._registry)
        err = next(iter(self._slow.iter_errors(value)), None)
        return None if err is None else _describe(err)


def _describe(err: ValidationError) -> str:
    where = "/".join(str(p) for p in err.absolute_path)
    msg = err.message
    if isinstance(err.instance, str) and len(err.instance) > 40:
        # long strings are elided: they may be secrets (an AuthorizationKey), and they bloat logs
        msg = msg.replace(repr(err.instance), f"<string of {len(err.instance)} characters>")
    msg = msg if len(msg) <= 300 else msg[:300] + "..."
    return f"{where}: {msg}" if where else msg


class KnownValid:
    """Digests of the encoded values a validator accepted, so that an identical value (a caller
    polling the same 100 variables) is not validated again: the same JSON text is the same value
    to every receiver, and so has the same verdict. Bounded; emptied when full."""

    __slots__ = ("_seen", "_size")

    def __init__(self, size: int = 1024) -> None:
        self._seen: set[bytes] = set()
        self._size = size

    @staticmethod
    def digest(encoded: bytes) -> bytes:
        return hashlib.blake2b(encoded, digest_size=16).digest()

    def __contains__(self, digest: bytes) -> bool:
        return digest in self._seen

    def add(self, digest: bytes) -> None:
        if len(self._seen) >= self._size:
            self._seen.clear()
        self._seen.add(digest)


@dataclass(slots=True)
class CmdDef:
    arguments: dict[str, dict[str, Any]]
    args_validator: Validator
    result_schema: dict[str, Any]
    result_validator: Validator
    valid_results: KnownValid = field(default_factory=KnownValid)


@dataclass(slots=True)
class InterfaceDef:
    name: str
    cmds: dict[str, CmdDef] = field(default_factory=dict)
    vars: dict[str, Validator] = field(default_factory=dict)
    errors: list[Any] = field(default_factory=list)


class Definitions:
    """Manifest + interfaces + types of one module directory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or definitions_root()
        manifest = _load_yaml(self.root / "manifest.yaml")
        if not isinstance(manifest, dict):
            raise DefinitionError(str(self.root / "manifest.yaml"), ["not a mapping"])
        self.manifest: dict[str, Any] = manifest
        self._interfaces: dict[str, InterfaceDef] = {}

    @cached_property
    def registry(self) -> Registry:
        """Type files are parsed on first reference only: most of them describe interfaces the
        module never calls, and parsed YAML costs memory for the module's whole life."""
        files = type_files(self.root / "types")
        loaded: dict[str, Resource[Any]] = {}

        def retrieve(uri: str) -> Resource[Any]:
            stem = uri.lstrip("/")
            if stem not in loaded:
                if stem not in files:
                    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
                loaded[stem] = DRAFT7.create_resource(_load_yaml(files[stem]).get("types") or {})
            return loaded[stem]

        return Registry(retrieve=retrieve)  # type: ignore[call-arg]

    @property
    def provides(self) -> dict[str, dict[str, Any]]:
        return self.manifest.get("provides") or {}

    @property
    def requires(self) -> dict[str, dict[str, Any]]:
        return self.manifest.get("requires") or {}

    def config_schema(self) -> dict[str, dict[str, Any]]:
        return dict(self.manifest.get("config") or {})

    def interface(self, name: str) -> InterfaceDef:
        if name not in self._interfaces:
            self._interfaces[name] = self._load_interface(name)
        return self._interfaces[name]

    def error_types(self, name: str) -> list[str]:
        """The error types (``<namespace>/<Name>``) interface ``name`` declares, as the manager
        resolves its ``errors`` references; raises DefinitionError if one does not resolve."""
        refs = self.interface(name).errors
        if not refs:
            return []
        lists = {stem: _load_yaml(path) for stem, path in error_list_files(self.root / "errors").items()}
        resolved, problems = resolve_error_refs(refs, lists)
        if problems:
            raise DefinitionError(f"interface {name}", problems)
        return [f"{ns}/{error}" for ns, errors in resolved.items() for error in errors]

    def warm_up(self, name: str) -> None:
        """Compile the command validators of an interface now (the provided one, right after start),
        so no caller waits for a compile; var validators compile when a var is first published."""
        for cmd in self.interface(name).cmds.values():
            cmd.args_validator.compile()
            cmd.result_validator.compile()

    def raw_interface(self, name: str) -> dict[str, Any]:
        doc = _load_yaml(self.root / "interfaces" / f"{name}.yaml")
        if not isinstance(doc, dict):
            raise DefinitionError(f"interface {name}", ["not a mapping"])
        return doc

    def _load_interface(self, name: str) -> InterfaceDef:
        doc = self.raw_interface(name)
        iface = InterfaceDef(name=name, errors=list(doc.get("errors") or []))
        for cmd, spec in (doc.get("cmds") or {}).items():
            args = copy.deepcopy((spec or {}).get("arguments") or {})
            result = copy.deepcopy((spec or {}).get("result") or {"type": "null"})
            args_schema = {
                "type": "object",
                "properties": args,
                "required": sorted(args),
                "additionalProperties": False,
            }
            iface.cmds[cmd] = CmdDef(
                arguments=args,
                args_validator=Validator(args_schema, self.registry),
                result_schema=result,
                result_validator=Validator(result, self.registry),
            )
        for var, spec in (doc.get("vars") or {}).items():
            iface.vars[var] = Validator(copy.deepcopy(spec or {}), self.registry, compiled=False)
        return iface
