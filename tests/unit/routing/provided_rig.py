"""Review helper: the rig's real backend with ocpp_generic and the provided implementations attached,
every provided command called as the runtime calls it (arguments and results checked against the
interface), every station call to the CSMS checked against the OCPP schema."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ocpp.messages import get_validator

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import check_definitions
from everest_ocpp.generic.ocpp_interface import OcppInterface
from everest_ocpp.provides import register_all

from .rig import build

ROOT = Path(__file__).resolve().parents[3]
DEFS = check_definitions(ROOT)

NOW = "2026-01-01T10:00:00Z"
CSMS = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "DataTransfer": {"status": "Accepted", "data": "pong"},
}


class Reg:
    def __init__(self) -> None:
        self.handlers: dict[tuple[str, str], Any] = {}
        self.published: list[tuple[str, str, Any]] = []

    def implement(self, impl: str, cmd: str, handler: Any) -> None:
        self.handlers[(impl, cmd)] = handler

    def publish_var(self, impl: str, var: str, value: Any) -> bool:
        self.published.append((impl, var, value))
        return True


def _errors(schema: dict[str, Any], value: Any) -> list[str]:
    return [e.message for e in metaschema.value_validator(schema, DEFS.registry).iter_errors(value)]


class Env:
    def __init__(self, rig: Any, reg: Reg) -> None:
        self.rig, self.reg = rig, reg

    async def call(self, impl: str, cmd: str, timeout: float = 10, **args: Any) -> Any:
        iface = DEFS.manifest["provides"][impl]["interface"]
        spec = DEFS.interfaces[iface]["cmds"][cmd]
        for name, schema in (spec.get("arguments") or {}).items():
            errs = _errors(schema, args[name])
            assert not errs, f"ARG INVALID {impl}.{cmd}.{name}: {errs}"
        res = self.reg.handlers[(impl, cmd)](**args)
        if asyncio.iscoroutine(res):
            res = await asyncio.wait_for(res, timeout)
        errs = _errors(spec.get("result", {"type": "null"}), res)
        assert not errs, f"RESULT INVALID {impl}.{cmd}: {res!r}: {errs}"
        return res

    def invalid_frames(self) -> list[str]:
        bad = []
        for f in self.rig.csms.sent:
            if f[0] != 2:
                continue
            try:
                v = get_validator(2, f[2], self.rig.version, parse_float=Decimal)
                v.validate(json.loads(json.dumps(f[3]), parse_float=Decimal))
            except Exception as exc:
                bad.append(f"{f[2]}: {exc}")
        return bad


async def make(
    tmp_path: Path, version: str, connect: bool = True, csms: dict | None = None, **kw: Any
) -> Env:
    rig = await build(tmp_path, version, csms or CSMS, **kw)
    reg = Reg()
    interface = OcppInterface(lambda var, value: reg.publish_var("ocpp_generic", var, value))
    for cmd, handler in interface.commands().items():
        reg.implement("ocpp_generic", cmd, handler)
    provided = register_all(reg, interface)
    interface.attach(rig.backend)
    provided.attach(rig.backend)
    if connect:
        await rig.connect()
    return Env(rig, reg)
