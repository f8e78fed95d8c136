"""Structure of our definitions against EVerest's, and our meta-schemas against EVerest's files.

Needs the local everest-core snapshot; skipped (the only skip in the suite) when it is absent.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.yamlfile import parse_everest_yaml
from harness.upstream import MIRROR, SKIP_REASON

ROOT = Path(__file__).resolve().parents[2]
INTERFACES = sorted((ROOT / "interfaces").glob("*.yaml"))
TYPE_FILES = sorted((ROOT / "types").glob("*.yaml"))

pytestmark = pytest.mark.skipif(not MIRROR.exists(), reason=SKIP_REASON)


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def _strip_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _strip_descriptions(v)
            for k, v in node.items()
            if not (k == "description" and isinstance(v, str))
        }
    if isinstance(node, list):
        return [_strip_descriptions(v) for v in node]
    return node


def _descriptions(node: Any, path: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "description" and isinstance(v, str):
                out[path] = " ".join(v.split()).lower()
            else:
                out |= _descriptions(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out |= _descriptions(v, f"{path}/{i}")
    return out


@functools.cache
def _upstream_text(path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(MIRROR), "show", f"HEAD:{path}"], capture_output=True, text=True, check=True
    ).stdout


def _upstream(path: str) -> Any:
    return parse_everest_yaml(_upstream_text(path))


@pytest.mark.parametrize("path", INTERFACES, ids=_ids(INTERFACES))
def test_interface_structure_matches_everest(path: Path) -> None:
    ours = metaschema.load_yaml(path)
    theirs = _upstream(f"interfaces/{path.name}")
    assert set(ours) == set(theirs) - {"errors"}  # `errors` deliberately left out (docs/definitions.md)
    assert set(ours.get("cmds") or {}) == set(theirs.get("cmds") or {})
    assert set(ours.get("vars") or {}) == set(theirs.get("vars") or {})
    theirs.pop("errors", None)
    assert _strip_descriptions(ours) == _strip_descriptions(theirs)


@pytest.mark.parametrize("path", TYPE_FILES, ids=_ids(TYPE_FILES))
def test_type_structure_matches_everest(path: Path) -> None:
    ours = metaschema.load_yaml(path)["types"]
    theirs = _upstream(f"types/{path.name}")["types"]
    assert set(ours) <= set(theirs)
    if path.stem == "ocpp":
        assert set(ours) == set(theirs)
    for name, schema in ours.items():
        assert _strip_descriptions(schema) == _strip_descriptions(theirs[name]), name


@pytest.mark.parametrize("path", [*INTERFACES, *TYPE_FILES], ids=_ids([*INTERFACES, *TYPE_FILES]))
def test_descriptions_are_our_own(path: Path) -> None:
    ours = _descriptions(metaschema.load_yaml(path))
    theirs = _descriptions(_upstream(f"{path.parent.name}/{path.name}"))
    assert [p for p, text in ours.items() if theirs.get(p) == text] == []


def _upstream_files(pattern: str) -> list[str]:
    names = subprocess.run(
        ["git", "-C", str(MIRROR), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [n for n in names if re.fullmatch(pattern, n)]


@pytest.mark.parametrize(
    ("pattern", "validate", "minimum"),
    [
        (r"modules/.*/manifest\.yaml", metaschema.validate_manifest, 100),
        (r"interfaces/[^/]+\.yaml", metaschema.validate_interface, 50),
        (r"types/[^/]+\.yaml", metaschema.validate_type_file, 25),
        (r"errors/[^/]+\.yaml", metaschema.validate_error_list, 10),
    ],
    ids=["manifests", "interfaces", "types", "errors"],
)
def test_our_metaschemas_accept_everest_files(
    pattern: str, validate: Callable[[Any, str], None], minimum: int
) -> None:
    files = _upstream_files(pattern)
    assert len(files) >= minimum
    for name in files:
        validate(_upstream(name), name)


def test_our_config_metaschema_accepts_everest_configs() -> None:
    configs = [(n, _upstream(n)) for n in _upstream_files(r"(config|tests/.*/config)/[^/]+\.yaml")]
    configs = [(n, d) for n, d in configs if isinstance(d, dict) and "active_modules" in d]
    assert len(configs) >= 50
    for name, doc in configs:
        metaschema.validate_runtime_config(doc, name)
