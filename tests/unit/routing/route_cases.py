"""What the routing tests of both versions share: a case per routed action, and how it is checked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from everest_ocpp.csms.charge_point import routes_of
from harness.v201_requests import subset

from .rig import Rig, build, until


@dataclass
class Case:
    payload: dict[str, Any]
    expected: dict[str, Any]  # a subset of the answer's payload
    after: Callable[[Rig], bool] | None = None  # what the @after handler did, once it holds
    before: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # requests routed first
    setup: Callable[[Rig], Awaitable[None]] | None = None  # after connecting, before the requests
    prepare: Callable[[Path], None] | None = None  # changes the configuration files
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # EVerest modules' answers


async def routed_actions(tmp_path: Path, version: str, csms: dict[str, dict[str, Any]]) -> set[str]:
    """Every action some block of the version's backend routes with ``@on``."""
    rig = await build(tmp_path, version, csms)
    try:
        routes = routes_of(rig.backend.blocks)
        return {str(action) for action, handlers in routes.items() if "_on_action" in handlers}
    finally:
        await rig.close()


async def check_case(
    tmp_path: Path, version: str, csms: dict[str, dict[str, Any]], action: str, case: Case
) -> None:
    """The request gets a schema-valid CALLRESULT containing ``case.expected``, then ``case.after`` holds."""
    rig = await build(tmp_path, version, csms, case.prepare, case.answers)
    try:
        await rig.connect()
        if case.setup is not None:
            await case.setup(rig)
        for before, payload in case.before:
            assert (await rig.request(before, payload))[0] == 3
        frame = await rig.request(action, case.payload)
        assert frame[0] == 3, f"{action} answered with {frame}"  # a CALLRESULT, not a CALLERROR
        assert rig.schema_valid(action, frame[2])
        assert subset(case.expected, frame[2]), frame[2]
        if case.after is not None:
            after = case.after
            await until(lambda: after(rig))
    finally:
        await rig.close()
