"""The provided ``data_transfer`` on OCPP 2.0.1 with request texts the interface allows (``data`` and
``custom_data.data`` any string, ``custom_data.vendor_id`` any string): every frame the CSMS gets is
strict JSON that passes the 2.0.1 schema; text that is not strict JSON (NaN, 1e999, nested too deep)
goes as a string; a customData that would fail the schema is Rejected without sending. In process:
the real 2.0.1 backend, the command called as the runtime calls it."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ocpp.messages import get_validator

from .provided_rig import make


def _strict(text: str) -> Any:
    """RFC 8259 JSON: NaN / Infinity / -Infinity are not JSON."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _recorded(env: Any) -> list[str]:
    """Every raw frame the fake CSMS hands to the station from now on."""
    raw: list[str] = []
    original = env.rig.csms.send

    async def record(message: str) -> None:
        raw.append(message)
        await original(message)

    env.rig.csms.send = record
    return raw


async def _send(tmp_path: Path, request: dict[str, Any]) -> tuple[Any, list[str]]:
    env = await make(tmp_path, "2.0.1")
    raw = _recorded(env)
    try:
        answer = await env.call("data_transfer", "data_transfer", request=request)
    finally:
        await env.rig.close()
    return answer, [m for m in raw if '"DataTransfer"' in m]


def test_deeply_nested_data_is_answered_not_a_handler_exception(tmp_path: Path) -> None:
    # 2000 nested arrays: valid JSON text, valid per the interface (data: any string)
    request = {"vendor_id": "org.example", "data": "[" * 2000 + "]" * 2000}
    answer, frames = asyncio.run(_send(tmp_path, request))
    assert answer["status"] == "Accepted"
    assert [_strict(f)[3]["data"] for f in frames if f.startswith("[2")] == [request["data"]]


@pytest.mark.parametrize("data", ["NaN", "Infinity", "-Infinity", "1e999", "[1e999]"])
def test_non_finite_data_does_not_put_invalid_json_on_the_wire(tmp_path: Path, data: str) -> None:
    answer, frames = asyncio.run(_send(tmp_path, {"vendor_id": "org.example", "data": data}))
    assert answer["status"] == "Accepted"
    assert [_strict(f)[3]["data"] for f in frames if f.startswith("[2")] == [data]  # as a string


@pytest.mark.parametrize(
    "custom_data",
    [
        {"vendor_id": "c" * 256, "data": "{}"},  # customData.vendorId: maxLength 255
        {"vendor_id": "c", "data": '{"vendorId": 5}'},  # customData.vendorId: a string
    ],
)
def test_custom_data_that_fails_the_schema_is_not_sent(tmp_path: Path, custom_data: dict[str, Any]) -> None:
    answer, frames = asyncio.run(_send(tmp_path, {"vendor_id": "org.example", "custom_data": custom_data}))
    assert (answer, frames) == ({"status": "Rejected"}, [])  # refused, nothing sent


@pytest.mark.parametrize(
    "module_answer",
    [
        {"status": "Accepted", "data": "NaN"},
        {"status": "Accepted", "custom_data": {"vendor_id": "c" * 300, "data": "{}"}},
    ],
)
def test_the_reply_to_a_csms_data_transfer_is_strict_schema_valid_json(
    tmp_path: Path, module_answer: dict[str, Any]
) -> None:
    """The same conversion in the other direction: the data_transfer module's answer (valid per the
    interface) becomes the CALLRESULT."""

    async def run() -> str:
        env = await make(tmp_path, "2.0.1", answers={"data_transfer": {"data_transfer": module_answer}})
        raw = _recorded(env)
        try:
            await env.rig.request("DataTransfer", {"vendorId": "org.example"})
        finally:
            await env.rig.close()
        return next(m for m in raw if m.startswith("[3"))

    frame = asyncio.run(run())
    payload = _strict(frame)[2]
    get_validator(3, "DataTransfer", "2.0.1", parse_float=Decimal).validate(payload)
