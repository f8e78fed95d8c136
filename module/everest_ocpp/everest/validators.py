"""Draft-07 schemas compiled to plain Python checks that answer valid or not, nothing more.

A command's arguments and result are checked on every call, so this is the hot path of a command
with many entries (get_variables with 100 requests). EVerest's interfaces and types use a small part
of draft-07: ``type``, ``properties``, ``required``, ``additionalProperties``, ``items``, string
``enum``, length, range, item-count and ``pattern`` limits, and ``$ref``. Each schema made of those
becomes one generated function of nested ``if`` statements (no exception per value, no per-object
key sets); a schema using anything else raises :class:`Unsupported` and the caller uses a general
validator. Why a value is invalid is not this module's business: the caller asks jsonschema then.

``format`` stays an annotation, as in EVerest (see definitions.Validator).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {"description", "title", "default", "format", "examples", "$comment", "$schema", "$id", "definitions"}
)
_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "pattern",
        "$ref",
    }
)
_TYPE_TESTS = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, (list, tuple))",  # a handler's tuple is sent as a JSON array
    "string": "isinstance({v}, str)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool)"
    " or isinstance({v}, float) and {v}.is_integer())",
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
}
_NUMBER = "(isinstance({v}, (int, float)) and not isinstance({v}, bool))"


class Unsupported(ValueError):
    """The schema uses a keyword (or form of one) this compiler does not translate."""


class _Compiler:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self.constants: dict[str, Any] = {"_MISSING": object()}
        self.functions: dict[str, str] = {}  # definition name -> generated function name
        self.sources: list[str] = []
        self._names = 0

    def name(self, prefix: str) -> str:
        self._names += 1
        return f"{prefix}{self._names}"

    def constant(self, value: Any) -> str:
        name = self.name("_c")
        self.constants[name] = value
        return name

    def function(self, schema: Any, name: str) -> None:
        body = self.node(schema, "v0", 1)
        self.sources.append("\n".join([f"def {name}(v0):", *body, "    return True"]))

    def node(self, schema: Any, v: str, depth: int) -> list[str]:
        """Statements (at ``depth`` indentation) that ``return False`` unless ``v`` is valid."""
        pad = "    " * depth
        if schema is True or schema == {}:
            return []
        if schema is False:
            return [f"{pad}return False"]
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        if "$ref" in schema:  # draft-07: siblings of $ref are ignored
            return [f"{pad}if not {self.ref(schema['$ref'])}({v}): return False"]
        out: list[str] = []
        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else types
            if not isinstance(names, list) or not names or any(t not in _TYPE_TESTS for t in names):
                raise Unsupported(f"type {types!r}")
            out.append(
                f"{pad}if not ({' or '.join(_TYPE_TESTS[t].format(v=v) for t in names)}): return False"
            )
            only = names[0] if len(names) == 1 else None
        else:
            only = None
        out += self._guarded(self.object_checks(schema, v, depth + 1), "object", only, v, pad)
        out += self._guarded(self.array_checks(schema, v, depth + 1), "array", only, v, pad)
        out += self._guarded(self.string_checks(schema, v, depth + 1), "string", only, v, pad)
        out += self._guarded(self.number_checks(schema, v, depth + 1), "number", only, v, pad)
        if "enum" in schema:
            values = schema["enum"]
            if not isinstance(values, list) or not all(isinstance(e, str) for e in values):
                raise Unsupported("enum of other values than strings")  # 1 == True in Python
            allowed = self.constant(frozenset(values))
            out.append(f"{pad}if not (isinstance({v}, str) and {v} in {allowed}): return False")
        return out

    @staticmethod
    def _guarded(lines: list[str], kind: str, only: str | None, v: str, pad: str) -> list[str]:
        """Keywords of one instance type apply only to values of that type."""
        if not lines:
            return []
        if only == kind or (kind == "number" and only == "integer"):
            return [line[4:] for line in lines]  # the type test above already holds
        test = _NUMBER if kind == "number" else _TYPE_TESTS[kind]
        return [f"{pad}if {test.format(v=v)}:", *lines]

    def object_checks(self, schema: dict[str, Any], v: str, depth: int) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        props = schema.get("properties") or {}
        required = schema.get("required") or []
        if not isinstance(props, dict) or not isinstance(required, list):
            raise Unsupported("properties/required")
        for key in required:
            out.append(f"{pad}if {key!r} not in {v}: return False")
        extra = schema.get("additionalProperties", True)
        if extra is False:
            out.append(f"{pad}if not {v}.keys() <= {self.constant(frozenset(props))}: return False")
        for key, sub in props.items():
            x = self.name("v")
            checks = self.node(sub, x, depth + 1)
            if not checks:
                continue
            if key in required:
                out.append(f"{pad}{x} = {v}[{key!r}]")
                out += [line[4:] for line in checks]
            else:
                out.append(f"{pad}{x} = {v}.get({key!r}, _MISSING)")
                out.append(f"{pad}if {x} is not _MISSING:")
                out += checks
        if extra is not True and extra is not False:
            k, x = self.name("k"), self.name("v")
            checks = self.node(extra, x, depth + 2)
            if checks:
                out.append(f"{pad}for {k}, {x} in {v}.items():")
                out.append(f"{pad}    if {k} not in {self.constant(frozenset(props))}:")
                out += checks
        return out

    def array_checks(self, schema: dict[str, Any], v: str, depth: int) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        if "minItems" in schema:
            out.append(f"{pad}if len({v}) < {int(schema['minItems'])}: return False")
        if "maxItems" in schema:
            out.append(f"{pad}if len({v}) > {int(schema['maxItems'])}: return False")
        if "items" in schema:
            items = schema["items"]
            if isinstance(items, list):
                raise Unsupported("items as a list")
            x = self.name("v")
            checks = self.node(items, x, depth + 1)
            if checks:
                out.append(f"{pad}for {x} in {v}:")
                out += checks
        return out

    def string_checks(self, schema: dict[str, Any], v: str, depth: int) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        if "minLength" in schema:
            out.append(f"{pad}if len({v}) < {int(schema['minLength'])}: return False")
        if "maxLength" in schema:
            out.append(f"{pad}if len({v}) > {int(schema['maxLength'])}: return False")
        if "pattern" in schema:
            pattern = self.constant(re.compile(schema["pattern"]))
            out.append(f"{pad}if not {pattern}.search({v}): return False")
        return out

    def number_checks(self, schema: dict[str, Any], v: str, depth: int) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        for keyword, op in (
            ("minimum", "<"),
            ("maximum", ">"),
            ("exclusiveMinimum", "<="),
            ("exclusiveMaximum", ">="),
        ):
            if keyword in schema:
                limit = schema[keyword]
                if isinstance(limit, bool) or not isinstance(limit, (int, float)):
                    raise Unsupported(f"{keyword} {limit!r}")  # draft-04's boolean form
                out.append(f"{pad}if {v} {op} {limit!r}: return False")
        return out

    def ref(self, ref: Any) -> str:
        if not isinstance(ref, str) or not ref.startswith("#/definitions/"):
            raise Unsupported(f"$ref {ref!r} (bundle the schema first)")
        name = ref[len("#/definitions/") :]
        if name not in self.definitions:
            raise Unsupported(f"$ref {ref!r} has no definition")
        if name not in self.functions:
            self.functions[name] = self.name("_d")
            self.function(self.definitions[name], self.functions[name])
        return self.functions[name]


def compile_check(schema: Any) -> Check:
    """A function telling whether a value is valid against ``schema`` (self-contained: only
    ``#/definitions/...`` references). Raises Unsupported for schemas it cannot translate."""
    definitions = schema.get("definitions", {}) if isinstance(schema, dict) else {}
    compiler = _Compiler(definitions if isinstance(definitions, dict) else {})
    compiler.function(schema, "check")
    namespace = dict(compiler.constants)
    exec("\n\n".join(compiler.sources), namespace)
    check: Check = namespace["check"]
    return check
