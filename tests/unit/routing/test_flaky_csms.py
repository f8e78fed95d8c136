"""A misbehaving CSMS during charging sessions: the station's transaction messages neither stall nor
get duplicated. A CALLERROR with a code the ``ocpp`` package does not know (RpcFrameworkError,
MessageTypeNotSupported, a vendor's) counts as a failed attempt like any other; a CALLRESULT that fails
its schema means the CSMS processed the call: taken as delivered, never sent again (as libocpp)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.csms.message_queue import RetryPolicy

from .flaky_csms import script
from .rig import until
from .session_probe import (
    Probe,
    charging,
    meter,
    plugged,
    session_finished,
    start,
    tx_finished,
    tx_started,
)


async def fast_retries(p: Probe) -> None:
    p.rig.backend.sender.retry = RetryPolicy(lambda: 3, lambda: 0.05)


async def reconnect(p: Probe) -> None:
    """The websocket drops and the station connects again (a fresh session)."""
    rig = p.rig
    assert rig._serving is not None
    rig._serving.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await rig._serving
    await until(lambda: rig.backend.outbox.session is None)
    await rig.connect()


async def close(p: Probe) -> None:
    with contextlib.suppress(Exception):  # a dead queue sender re-raises its exception on stop
        await p.rig.close()


def transaction_calls(p: Probe) -> list[tuple[str, Any]]:
    out = []
    for f in p.csms.sent:
        if f[0] != 2:
            continue
        if f[2] in ("StartTransaction", "StopTransaction"):
            out.append((f[2], f[3].get("transactionId")))
        elif f[2] == "TransactionEvent":
            out.append((f[2], f[3]["eventType"]))
    return out


# ---- 1: a CALLERROR whose code the python ocpp package does not know: a failed attempt ----


@pytest.mark.parametrize("code", ["RpcFrameworkError", "MessageTypeNotSupported"])
def test_201_callerror_with_an_ocpp201_error_code_does_not_stall_the_transaction_queue(
    tmp_path: Path, code: str
) -> None:
    """OCPP 2.0.1 Part 4 §4.3 lists RpcFrameworkError and MessageTypeNotSupported as CALLERROR codes.
    The first TransactionEvent(Started) is answered with one; the CSMS answers everything after that.
    The Started is retried (MessageAttempts) and the rest of the session reaches the CSMS; the queue
    sender does not die of the package's UnknownCallErrorCodeError."""

    async def go() -> tuple[list[tuple[str, Any]], bool]:
        p = await start(tmp_path, "2.0.1")
        try:
            await fast_retries(p)
            script(p, lambda a, _pl, n: ("error", code) if a == "TransactionEvent" and n == 1 else "default")
            p.publish("powermeter", meter(10))
            p.event(plugged())
            p.event(tx_started())
            p.event(charging())
            await asyncio.sleep(0.5)
            p.event(tx_finished(ts="2026-01-01T11:00:00Z"))
            p.event(session_finished(ts="2026-01-01T11:00:01Z"))
            await asyncio.sleep(0.5)
            await reconnect(p)
            await asyncio.sleep(1.0)
            return transaction_calls(p), p.rig.backend.sender._task.done()
        finally:
            await close(p)

    calls, sender_dead = asyncio.run(go())
    assert [c for c in calls if c[1] != "Started"] == [
        ("TransactionEvent", "Updated"),
        ("TransactionEvent", "Ended"),
    ], f"CSMS got {calls}; queue sender task ended: {sender_dead}"
    assert not sender_dead


def test_16_callerror_with_an_unknown_error_code_does_not_stall_the_transaction_queue(tmp_path: Path) -> None:
    """1.6: a CSMS answers StartTransaction once with a CALLERROR whose errorCode is not one of 1.6's
    (here 2.0.1's RpcFrameworkError). Expected: handled like any CALLERROR (retried), the transaction
    reported, the StopTransaction delivered."""

    async def go() -> tuple[list[tuple[str, Any]], bool]:
        p = await start(tmp_path, "1.6")
        try:
            await fast_retries(p)
            script(
                p,
                lambda a, _pl, n: (
                    ("error", "RpcFrameworkError") if a == "StartTransaction" and n == 1 else "default"
                ),
            )
            p.event(plugged())
            p.event(tx_started())
            await asyncio.sleep(0.5)
            p.event(tx_finished(ts="2026-01-01T11:00:00Z"))
            await asyncio.sleep(0.5)
            await reconnect(p)
            await asyncio.sleep(1.0)
            return transaction_calls(p), p.rig.backend.sender._task.done()
        finally:
            await close(p)

    calls, sender_dead = asyncio.run(go())
    assert calls[-1][0] == "StopTransaction", f"CSMS got {calls}; queue sender task ended: {sender_dead}"
    assert not sender_dead


# ---- 2: a CALLRESULT that fails its schema: delivered, not sent again ----


def test_16_start_transaction_conf_failing_its_schema_is_not_answered_by_a_second_start_transaction(
    tmp_path: Path,
) -> None:
    """The CSMS processes StartTransaction but its CALLRESULT lacks transactionId: one StartTransaction
    for the session, not TransactionMessageAttempts of them. libocpp removes the message from its
    queue on any CALLRESULT (MessageQueue::receive ->
    handle_call_result) and only logs the parse failure: one StartTransaction. A retry is for a CALLERROR
    or no answer (OCPP 1.6 §4.10 / 1.6-J §4.2.3), not for an answer."""

    async def go() -> list[tuple[str, Any]]:
        p = await start(tmp_path, "1.6")
        try:
            await fast_retries(p)
            script(
                p,
                lambda a, _pl, _n: (
                    ("result", {"idTagInfo": {"status": "Accepted"}})
                    if a == "StartTransaction"
                    else "default"
                ),
            )
            p.event(plugged())
            p.event(tx_started())
            await asyncio.sleep(0.5)
            p.event(tx_finished(ts="2026-01-01T11:00:00Z"))
            await p.drain()
            return transaction_calls(p)
        finally:
            await close(p)

    calls = asyncio.run(go())
    assert [c for c in calls if c[0] == "StartTransaction"] == [("StartTransaction", None)], calls


def test_16_stop_transaction_conf_failing_its_schema_does_not_repeat_the_stop(tmp_path: Path) -> None:
    """Same for StopTransaction: a StopTransaction.conf with an idTagInfo status 1.6 does not have does
    not make the module send the StopTransaction again."""

    async def go() -> list[tuple[str, Any]]:
        p = await start(tmp_path, "1.6")
        try:
            await fast_retries(p)
            script(
                p,
                lambda a, _pl, _n: (
                    ("result", {"idTagInfo": {"status": "Unknown"}}) if a == "StopTransaction" else "default"
                ),
            )
            p.event(plugged())
            p.event(tx_started())
            p.event(tx_finished(ts="2026-01-01T11:00:00Z"))
            await p.drain()
            await asyncio.sleep(0.5)
            return transaction_calls(p)
        finally:
            await close(p)

    calls = asyncio.run(go())
    assert [c for c in calls if c[0] == "StopTransaction"] == [("StopTransaction", 91)], calls


def test_201_transaction_event_response_failing_its_schema_does_not_repeat_the_event(tmp_path: Path) -> None:
    """2.0.1: TransactionEvent(Started) answered with a CALLRESULT whose totalCost is a string: taken as
    delivered, Started (seqNo 0) is not sent a second time."""

    async def go() -> list[tuple[str, Any]]:
        p = await start(tmp_path, "2.0.1")
        try:
            await fast_retries(p)
            script(
                p,
                lambda a, pl, _n: (
                    ("result", {"totalCost": "x"})
                    if a == "TransactionEvent" and pl["eventType"] == "Started"
                    else "default"
                ),
            )
            p.publish("powermeter", meter(10))
            p.event(plugged())
            p.event(tx_started())
            await p.drain()
            await asyncio.sleep(0.5)
            return transaction_calls(p)
        finally:
            await close(p)

    calls = asyncio.run(go())
    assert calls.count(("TransactionEvent", "Started")) == 1, calls
