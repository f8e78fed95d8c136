"""Shared fixtures: one real mosquitto per test session, stacks built on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.broker import Mosquitto
from harness.session import shared_broker
from harness.stack import Stack, StackOptions

pytest_plugins = ["scenario_plugin"]


@pytest.fixture(scope="session")
def broker(pytestconfig: pytest.Config) -> Mosquitto:
    return shared_broker(pytestconfig)


@pytest.fixture
def make_stack(broker: Mosquitto, tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    stacks: list[Stack] = []

    def make(**options: object) -> Stack:
        workdir = tmp_path / f"stack{len(stacks)}"
        workdir.mkdir()
        stack = Stack(broker, workdir, StackOptions(**options))  # type: ignore[arg-type]
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        code = stack.stop()
        assert code == 0, f"module exited with {code}; log:\n{stack.workdir / 'module.log'}"
