"""Structure of our definitions against EVerest's, and our meta-schemas against EVerest's files.

The manifest is compared with both C++ OCPP modules' manifests: same implementations (ids and
interfaces), every requirement of either with the same interface and never stricter connection limits.

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
ERROR_FILES = sorted((ROOT / "errors").glob("*.yaml"))
CPP_MANIFESTS = ("modules/EVSE/OCPP/manifest.yaml", "modules/EVSE/OCPP201/manifest.yaml")

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
    assert set(ours) == set(theirs)
    assert set(ours.get("cmds") or {}) == set(theirs.get("cmds") or {})
    assert set(ours.get("vars") or {}) == set(theirs.get("vars") or {})
    assert ours.get("errors") == theirs.get("errors")
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


@pytest.mark.parametrize("path", ERROR_FILES, ids=_ids(ERROR_FILES))
def test_error_list_matches_everest(path: Path) -> None:
    ours = metaschema.load_yaml(path)
    theirs = _upstream(f"errors/{path.name}")
    assert [e["name"] for e in ours["errors"]] == [e["name"] for e in theirs["errors"]]
    assert _strip_descriptions(ours) == _strip_descriptions(theirs)


def test_every_referenced_error_list_is_shipped() -> None:
    referenced = {
        ref["reference"].split("#")[0].removeprefix("/errors/")
        for path in INTERFACES
        for ref in metaschema.load_yaml(path).get("errors") or []
    }
    assert referenced == {p.stem for p in ERROR_FILES} == {"generic", "evse_manager", "system"}


ALL_FILES = [*INTERFACES, *TYPE_FILES, *ERROR_FILES]


@pytest.mark.parametrize("path", ALL_FILES, ids=_ids(ALL_FILES))
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


# --------------------------------------------------------------------------- manifest vs the C++ modules


def _ours() -> dict[str, Any]:
    return metaschema.apply_manifest_defaults(metaschema.load_yaml(ROOT / "manifest.yaml"))


def _cpp(path: str) -> dict[str, Any]:
    return metaschema.apply_manifest_defaults(_upstream(path))


def test_manifest_provides_what_both_cpp_modules_provide() -> None:
    ours = {k: v["interface"] for k, v in _ours()["provides"].items()}
    union: dict[str, str] = {}
    for path in CPP_MANIFESTS:
        for impl, spec in _cpp(path)["provides"].items():
            assert ours.get(impl) == spec["interface"], f"{path}: provides {impl}"
            union[impl] = spec["interface"]
    assert ours == union


@pytest.mark.parametrize("path", CPP_MANIFESTS)
def test_manifest_requires_never_stricter_than_cpp(path: str) -> None:
    ours = _ours()["requires"]
    for req, spec in _cpp(path)["requires"].items():
        assert req in ours, f"{path}: requirement {req} missing"
        assert ours[req]["interface"] == spec["interface"], req
        assert ours[req]["min_connections"] <= spec["min_connections"], req
        assert ours[req]["max_connections"] >= spec["max_connections"], req


def test_manifest_requires_nothing_the_cpp_modules_do_not() -> None:
    theirs = {req for path in CPP_MANIFESTS for req in _cpp(path)["requires"]}
    assert set(_ours()["requires"]) == theirs


def test_manifest_flags_match_cpp() -> None:
    for path in CPP_MANIFESTS:
        cpp = _cpp(path)
        for flag in ("enable_external_mqtt", "enable_global_errors", "enable_telemetry"):
            assert _ours()[flag] == cpp[flag], f"{path}: {flag}"
