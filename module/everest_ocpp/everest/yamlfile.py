"""YAML reading with the scalar rules of EVerest's loader (rapidyaml + its own conversion).

PyYAML follows YAML 1.1, so ``ON``/``yes`` become booleans and ``2024-01-01`` a date. EVerest turns an
unquoted scalar into an integer or a number when it looks like one, into a boolean only for exactly
``true``/``false``, into null for ``~``/``null``/empty, and keeps everything else as a string. Mapping
keys are always the key's text. Reading our definition and config files the same way keeps us from
accepting or rejecting what the manager would treat differently (``OcppVersion: 1.6`` unquoted is a
number to both, and fails a string entry in both).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

# libyaml's parser when available (much faster); the scalar rules below are applied either way.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class EverestYamlLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader with EVerest's implicit scalar types and string keys."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                key_node.value if isinstance(key_node, ScalarNode) else self.construct_object(key_node, deep)
            )
            out[str(key)] = self.construct_object(value_node, deep=deep)
        return out


def _add(tag: str, pattern: str, first: list[str]) -> None:
    EverestYamlLoader.add_implicit_resolver(tag, re.compile(pattern), first)


_add("tag:yaml.org,2002:bool", r"^(?:true|false)$", list("tf"))
_add("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789"))
_add(
    "tag:yaml.org,2002:float",
    r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?$",
    list("-+0123456789."),
)
_add("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])
_add("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"])


def _construct_int(loader: yaml.BaseLoader, node: Node) -> int:
    assert isinstance(node, ScalarNode)
    return int(node.value)


EverestYamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def parse_everest_yaml(text: str) -> Any:
    """Parse YAML text the way EVerest does."""
    return yaml.load(text, Loader=EverestYamlLoader)


def load_everest_yaml(path: Path) -> Any:
    """Read a YAML file the way EVerest does."""
    return parse_everest_yaml(path.read_text(encoding="utf-8"))
