"""What an `@on` handler leaves for its `@after`, per call id: requests handled side by side keep
their own state, and leftovers of answers that never went out are bounded."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from everest_ocpp.bridge.services import SystemService
from everest_ocpp.csms.after_response import AfterResponse
from everest_ocpp.csms.call_state import CallState
from everest_ocpp.v16.configuration import ChargePointConfiguration
from everest_ocpp.v16.provisioning import Provisioning16

ROOT = Path(__file__).resolve().parents[3]
CONFIG_16 = ROOT / "module" / "everest_ocpp" / "data" / "v16" / "config-test.json"


class FakeRuntime:
    """A system module allowing only Hard resets; records the calls."""

    module_id = "ocpp"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def connections(self, requirement: str) -> list[object]:
        return [object()] if requirement == "system" else []

    async def call(self, requirement: str, index: int, cmd: str, args: dict[str, Any], timeout: float) -> Any:
        self.calls.append((cmd, args))
        return args.get("type") == "Hard" if cmd == "is_reset_allowed" else None


def test_put_and_pop_by_call_id() -> None:
    state: CallState[str] = CallState()
    state.put("a", "first")
    state.put("b", "second")
    assert "a" in state and len(state) == 2
    assert state.get("b") == "second"
    assert state.pop("a") == "first"
    assert state.pop("a") is None
    assert state.pop("unknown") is None
    assert len(state) == 1


def test_entries_whose_after_never_ran_are_bounded_oldest_first() -> None:
    state: CallState[int] = CallState(limit=3)
    for i in range(10):
        state.put(f"call-{i}", i)
    assert len(state) == 3
    assert [state.pop(f"call-{i}") for i in range(10)] == [None] * 7 + [7, 8, 9]


def test_a_put_again_counts_as_new() -> None:
    state: CallState[int] = CallState(limit=2)
    state.put("a", 1)
    state.put("b", 2)
    state.put("a", 3)  # "a" is now the newest: "b" goes first
    state.put("c", 4)
    assert state.pop("b") is None and state.pop("a") == 3 and state.pop("c") == 4


def test_after_response_held_actions_are_bounded_too() -> None:
    effects = AfterResponse()
    ran: list[int] = []
    for i in range(200):  # answers that never went out: their @after never released them
        with effects.hold(f"lost-{i}"):
            effects.run(lambda i=i: ran.append(i))  # type: ignore[misc]
    assert len(effects._held) <= 64
    effects.release("lost-0")  # long dropped
    effects.release("lost-199")
    assert ran == [199]


def _provisioning(tmp_path: Path, runtime: FakeRuntime, changed: list[str]) -> Provisioning16:
    config = ChargePointConfiguration.load(CONFIG_16, tmp_path / "user.json")
    return Provisioning16(
        config,
        None,  # type: ignore[arg-type]  (nothing is sent in these tests)
        None,  # type: ignore[arg-type]
        {},
        SystemService(runtime),  # type: ignore[arg-type]
        changed.append,
    )


def test_1_6_resets_answered_side_by_side_keep_their_own_verdict(tmp_path: Path) -> None:
    runtime = FakeRuntime()
    block = _provisioning(tmp_path, runtime, [])

    async def run() -> list[Any]:
        hard = await block.on_reset(type="Hard", call_unique_id="id-hard")
        soft = await block.on_reset(type="Soft", call_unique_id="id-soft")
        await block.after_reset(type="Hard", call_unique_id="id-hard")  # after the Soft one's @on
        await block.after_reset(type="Soft", call_unique_id="id-soft")
        return [hard.status, soft.status]

    assert asyncio.run(run()) == ["Accepted", "Rejected"]
    assert [args for cmd, args in runtime.calls if cmd == "reset"] == [{"type": "Hard", "scheduled": False}]


def test_1_6_configuration_changes_answered_side_by_side_each_reach_their_after(tmp_path: Path) -> None:
    changed: list[str] = []
    block = _provisioning(tmp_path, FakeRuntime(), changed)

    async def run() -> None:
        await block.on_change_configuration(key="heartbeatinterval", value="120", call_unique_id="a")
        await block.on_change_configuration(key="MeterValueSampleInterval", value="30", call_unique_id="b")
        await block.on_change_configuration(key="NoSuchKey", value="1", call_unique_id="c")
        block.after_change_configuration(key="NoSuchKey", value="1", call_unique_id="c")
        block.after_change_configuration(key="heartbeatinterval", value="120", call_unique_id="a")
        block.after_change_configuration(key="MeterValueSampleInterval", value="30", call_unique_id="b")

    asyncio.run(run())
    assert changed == ["HeartbeatInterval", "MeterValueSampleInterval"]
