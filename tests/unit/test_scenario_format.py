"""The scenario format refuses mistakes before anything runs (tests/scenarios/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.scenario import ScenarioError, check_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _steps(*steps: dict) -> dict:
    return {"description": "x", "steps": list(steps)}


@pytest.mark.parametrize(
    "path", sorted(SCENARIOS.rglob("*.yaml")), ids=lambda p: str(p.relative_to(SCENARIOS))
)
def test_every_scenario_is_well_formed(path: Path) -> None:
    check_scenario(yaml.safe_load(path.read_text()))


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            {"call": "stop", "args": None, "exakt": True},
            "step 1 (call): unknown key(s) ['exakt'] (allowed: args, exact, expect, expect_error, impl, "
            "save_as, within)",
        ),
        ({"expect_csms": "Heartbeat", "mach": {}}, "step 1 (expect_csms): unknown key(s) ['mach']"),
        (
            {"expect_probe_call": {"impl": "system", "cmd": "reset", "arg": {}}},
            "step 1 (expect_probe_call): unknown key(s) ['arg'] in its mapping",
        ),
        ({"probe_var": "ready"}, "step 1 (probe_var): expected a mapping with ['impl', 'value', 'var']"),
        (
            {"expect_no_csms": "Heartbeat", "within": 0.5},
            "step 1 (expect_no_csms): a window of 0.5 s proves little",
        ),
        ({"sleep": 0.2}, "step 1 (sleep): say why time must pass"),
        ({"wait_for": "x"}, "step 1: unknown step kind 'wait_for'"),
        (
            {"call": "stop", "expect_error": {"type": "X", "message": "y"}},
            "expect_error takes only type and message_contains",
        ),
    ],
)
def test_mistakes_are_refused(step: dict, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        check_scenario(_steps(step))
    assert message in str(info.value)


def test_a_sleep_that_says_why_is_accepted() -> None:
    check_scenario(_steps({"sleep": 1.2, "why": "the 1 s timer must fire once"}, {"expect_no_var": "x"}))
