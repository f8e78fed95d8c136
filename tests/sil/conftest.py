"""Opt-in tests against a real EVerest SIL stack: set EVEREST_SIL_PREFIX to an EVerest installation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .everest_stack import ENV, EverestSil, sil_prefix

PREFIX = sil_prefix()
pytestmark = pytest.mark.skipif(PREFIX is None, reason=f"set {ENV} to an EVerest installation (bin/manager)")


@pytest.fixture
def everest(tmp_path: Path) -> Iterator[Callable[..., EverestSil]]:
    if PREFIX is None:
        pytest.skip(f"set {ENV} to an EVerest installation (bin/manager)")
    stacks: list[EverestSil] = []

    def make(
        version: str, implementation: str = "python", evses: int = 1, validator: str = "ocpp"
    ) -> EverestSil:
        workdir = tmp_path / f"{implementation}-{version}-{len(stacks)}"
        workdir.mkdir()
        stack = EverestSil(PREFIX, workdir, version, implementation, validator)
        stacks.append(stack)
        stack.start(evses)
        return stack

    yield make
    for stack in stacks:
        stack.stop()
