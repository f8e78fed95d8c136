"""Dependencies have upper bounds, and the test run installs the versions constraints.txt pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNBOUNDED_OK = {"types-pyyaml", "types-jsonschema"}  # type stubs follow their packages


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [*project["dependencies"], *extras["demo"], *extras["test"]]


def test_every_dependency_has_an_upper_bound() -> None:
    missing = [r for r in _requirements() if "<" not in r and _name(r) not in UNBOUNDED_OK]
    assert missing == []


def test_constraints_pin_every_tested_dependency_within_its_range() -> None:
    from packaging.requirements import Requirement

    pins = _pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        name = _name(text)
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {text}"


def test_the_test_run_installs_with_the_constraints() -> None:
    assert "-c constraints.txt -e '.[test]'" in (ROOT / "tests" / "run.sh").read_text()
