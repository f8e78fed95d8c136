"""Transactions16 in process: the messages a CSMS sees, their order and ids, answers, restarts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from ocpp.v16 import call_result

from everest_ocpp.v16.transaction_store import TransactionRecord

from .conftest import finished, reading, started


def payloads(rig: Any, action: str) -> list[Any]:
    return [p for p in rig.outbox.sent if type(p).__name__ == action]


def test_a_transaction_from_start_to_stop_with_samples_clock_values_and_signed_data(rig: Any) -> None:
    r = rig(stop_txn_sampled_data=("Energy.Active.Import.Register", "Power.Active.Import"))

    async def main() -> None:
        r.sessions.readings[1] = reading(100, power_W={"total": 7000})
        signed_begin = {"signed_meter_data": "B", "signing_method": "m", "encoding_method": "e"}
        r.transactions.started(
            1, 1, started("s1", 100.4, "2026-01-01T10:00:00Z", signed_meter_value=signed_begin)
        )
        r.sessions.readings[1] = reading(150, "2026-01-01T10:01:00Z", power_W={"total": 7100})
        r.transactions.sample(1)
        r.meter.clock_tick()
        signed_end = {"signed_meter_data": "E", "signing_method": "m", "encoding_method": "e"}
        r.transactions.finished(
            1, 1, finished("s1", 300, "2026-01-01T10:30:00Z", signed_meter_value=signed_end)
        )
        await r.deliver()
        await r.close()

    asyncio.run(main())
    assert r.outbox.actions() == ["StartTransaction", "MeterValues", "MeterValues", "StopTransaction"]
    start = r.outbox.sent[0]
    assert (start.connector_id, start.id_tag, start.meter_start, start.timestamp) == (
        1,
        "TAG",
        100,
        "2026-01-01T10:00:00.000Z",
    )
    sampled, clock = payloads(r, "MeterValues")
    assert (sampled.transaction_id, sampled.meter_value[0]["sampled_value"][0]["context"]) == (
        42,
        "Sample.Periodic",
    )
    assert (clock.transaction_id, clock.meter_value[0]["sampled_value"][0]["context"]) == (42, "Sample.Clock")
    stop = r.outbox.sent[-1]
    assert (stop.transaction_id, stop.meter_stop, stop.reason) == (42, 300, "Local")
    contexts = [
        [(v["context"], v.get("measurand")) for v in e["sampled_value"]] for e in stop.transaction_data
    ]
    assert contexts == [
        [("Transaction.Begin", None)],
        [("Sample.Periodic", "Energy.Active.Import.Register"), ("Sample.Periodic", "Power.Active.Import")],
        [("Sample.Clock", "Energy.Active.Import.Register")],  # StopTxnAlignedData only has the energy
        [("Transaction.End", None)],
    ]
    local = str(r.events[1]["transaction_id"])
    assert [(e["transaction_event"], e.get("transaction_id")) for e in r.events] == [
        ("Started", None),
        ("Ended", local),  # stopped before the CSMS's answer arrived: our own id
        ("Updated", "42"),
    ]
    assert int(local) < 0
    assert r.ended == [1]


@pytest.mark.parametrize(
    ("stop_on_invalid", "expected"),
    [
        (True, [("pause_charging", 2), ("stop_transaction", 2, "DeAuthorized")]),
        (False, [("pause_charging", 2)]),
    ],
)
def test_not_accepted_pauses_and_stops_with_deauthorized_or_only_pauses(
    rig: Any, stop_on_invalid: bool, expected: list[tuple[Any, ...]]
) -> None:
    r = rig(stop_transaction_on_invalid_id=stop_on_invalid)
    r.outbox.script["StartTransaction"] = [
        call_result.StartTransaction(transaction_id=9, id_tag_info={"status": "Blocked"})
    ]

    async def main() -> None:
        r.transactions.started(2, 2, started("s", 0, "2026-01-01T10:00:00Z"))
        await r.deliver()
        await r.close()

    asyncio.run(main())
    assert r.evse.calls == expected
    assert r.events[-1] == {
        "transaction_event": "Updated",
        "evse": {"id": 2, "connector_id": 1},
        "session_id": "s",
        "transaction_id": "9",
    }


def test_a_start_never_answered_leaves_meter_values_without_id_and_the_stop_with_ours(rig: Any) -> None:
    r = rig(transaction_message_attempts=2)
    r.outbox.script["StartTransaction"] = [TimeoutError(), TimeoutError()]

    async def main() -> None:
        r.sessions.readings[1] = reading(5)
        r.transactions.started(1, 1, started("s1", 5, "2026-01-01T10:00:00Z"))
        r.transactions.sample(1)
        r.transactions.finished(1, 1, finished("s1", 6, "2026-01-01T10:00:10Z", reason="EVDisconnected"))
        await r.deliver()
        await r.close()

    asyncio.run(main())
    assert r.outbox.actions() == ["StartTransaction", "StartTransaction", "MeterValues", "StopTransaction"]
    assert payloads(r, "MeterValues")[0].transaction_id is None
    stop = payloads(r, "StopTransaction")[0]
    assert stop.transaction_id == int(r.events[-1]["transaction_id"]) < 0
    assert stop.reason == "EVDisconnected"
    assert ("force_unlock", 1, 1) in r.evse.calls
    assert [e["transaction_event"] for e in r.events] == ["Started", "Ended"]


def test_id_tags_are_cut_to_20_and_a_start_without_details_sends_nothing(rig: Any) -> None:
    r = rig()

    async def main() -> None:
        r.transactions.started(
            1, 1, {"uuid": "x", "timestamp": "2026-01-01T10:00:00Z", "event": "TransactionStarted"}
        )
        r.transactions.started(2, 2, started("s2", 0, "2026-01-01T10:00:00Z", tag="A" * 30))
        await r.deliver()
        await r.close()

    asyncio.run(main())
    assert [(p.connector_id, p.id_tag) for p in r.outbox.sent] == [(2, "A" * 20)]


def record(session: str, connector: int, local: int, **more: Any) -> TransactionRecord:
    base: dict[str, Any] = {
        "session_id": session,
        "connector": connector,
        "local_id": local,
        "id_tag": "T",
        "meter_start": 1,
        "time_start": f"2026-01-01T10:0{connector}:00.000Z",
        "meter_last": 77,
        "meter_last_time": "2026-01-01T11:00:00.000Z",
        "start_queued": True,
    }
    base.update(more)
    return TransactionRecord(**base)


def test_after_a_restart_resumed_transactions_go_on_and_the_others_end_with_power_loss(rig: Any) -> None:
    first = rig()

    async def setup() -> None:
        store = first.transactions.ledger._store
        store.insert(record("resumed", 1, -5, transaction_id=500))
        store.insert(record("lost", 2, -6))
        store.insert(record("answered-before-kill", 1, -7, stopped=True, transaction_id=700))
        store.insert(record("never-queued", 2, -8, start_queued=False))
        await first.close()

    asyncio.run(setup())
    r = rig()

    async def main() -> None:
        r.transactions.recover({"resumed"}, r.sender.queue.items())
        assert r.transactions.transaction_of(1) == 500 and r.transactions.transaction_of(2) is None
        await r.deliver()
        await r.close()

    asyncio.run(main())
    assert r.outbox.actions() == ["StopTransaction", "StartTransaction", "StopTransaction"]
    lost, restarted, never = r.outbox.sent
    assert (lost.transaction_id, lost.meter_stop, lost.timestamp, lost.reason) == (
        -6,
        77,
        "2026-01-01T11:00:00.000Z",
        "PowerLoss",
    )
    assert (restarted.connector_id, restarted.timestamp) == (2, "2026-01-01T10:02:00.000Z")
    assert (never.transaction_id, never.reason) == (42, "PowerLoss")
    assert [(e["session_id"], e["transaction_event"]) for e in r.events] == [
        ("lost", "Ended"),
        ("never-queued", "Ended"),
        ("never-queued", "Updated"),
    ]


def test_stop_stops_running_transactions_at_the_evse_and_restart_ends_them(rig: Any) -> None:
    r = rig()

    async def main() -> None:
        r.transactions.started(1, 1, started("s1", 10, "2026-01-01T10:00:00Z"))
        await r.transactions.stop_all()
        r.transactions.end_all_for_restart()
        await r.deliver()
        await r.close()

    asyncio.run(main())
    assert r.evse.calls == [("stop_transaction", 1, "Other")]
    assert r.outbox.actions() == ["StartTransaction", "StopTransaction"]
    assert (r.outbox.sent[1].transaction_id, r.outbox.sent[1].reason, r.outbox.sent[1].meter_stop) == (
        42,
        "PowerLoss",
        10,
    )
    assert r.transactions.active() == {}


def test_measurand_lists_are_bounded_by_their_max_length_and_triggers_need_a_reading(rig: Any) -> None:
    r = rig(
        meter_values_sampled_data=("SoC", "Energy.Active.Import.Register", "Power.Active.Import"),
        max_lengths={"MeterValuesSampledData": 2},
    )
    assert r.meter.measurands("MeterValuesSampledData") == ["SoC", "Energy.Active.Import.Register"]
    assert not r.meter.trigger_accepts(None) and not r.meter.trigger_accepts(1)
    r.sessions.readings[2] = reading(9, power_W={"total": 1})

    async def main() -> None:
        assert r.meter.trigger_accepts(None) and r.meter.trigger_accepts(2) and not r.meter.trigger_accepts(0)
        await r.meter.trigger(None)
        await r.deliver()
        await r.close()

    asyncio.run(main())
    (only,) = r.outbox.sent
    assert (only.connector_id, only.transaction_id) == (2, None)
    values = only.meter_value[0]["sampled_value"]
    assert [(v["measurand"], v["context"]) for v in values] == [("Energy.Active.Import.Register", "Trigger")]


def test_answers_with_an_id_tag_info_reach_the_authorization(rig: Any) -> None:
    r = rig()
    starts: list[tuple[Any, ...]] = []
    stops: list[tuple[Any, ...]] = []
    r.transactions.start_answer_listeners.append(lambda *a: starts.append(a))
    r.transactions.ledger.stop_answer_listeners.append(lambda *a: stops.append(a))
    info = {"status": "Accepted", "parent_id_tag": "GROUP"}
    r.outbox.script["StartTransaction"] = [
        call_result.StartTransaction(transaction_id=5, id_tag_info=info),
        call_result.StartTransaction(transaction_id=6, id_tag_info={"status": "Accepted"}),
    ]
    r.outbox.script["StopTransaction"] = [
        call_result.StopTransaction(id_tag_info={"status": "Blocked"}),
        call_result.StopTransaction(id_tag_info={"status": "Expired"}),
    ]

    async def main() -> None:
        r.transactions.started(2, 2, started("s1", 0, "2026-01-01T10:00:00Z", tag="START"))
        r.transactions.finished(
            2,
            2,
            finished(
                "s1",
                1,
                "2026-01-01T10:01:00Z",
                id_tag={"id_token": {"value": "STOPPER", "type": "ISO14443"}, "authorization_type": "RFID"},
            ),
        )
        r.transactions.started(1, 1, started("s2", 0, "2026-01-01T10:02:00Z", tag="OTHER"))
        r.transactions.finished(1, 1, finished("s2", 1, "2026-01-01T10:03:00Z"))  # stopped without an idTag
        await r.deliver()
        await r.close()

    asyncio.run(main())
    assert starts == [(2, "START", info), (1, "OTHER", {"status": "Accepted"})]
    assert stops == [("STOPPER", {"status": "Blocked"})]


def test_a_running_transaction_is_found_by_the_id_the_csms_knows(rig: Any) -> None:
    r = rig()

    async def main() -> None:
        r.transactions.started(2, 2, started("s1", 0, "2026-01-01T10:00:00Z"))
        local = r.transactions.transaction_of(2)
        assert r.transactions.connector_of(local) == 2
        await r.deliver()
        assert (r.transactions.connector_of(42), r.transactions.connector_of(local)) == (2, None)
        r.transactions.finished(2, 2, finished("s1", 1, "2026-01-01T10:01:00Z"))
        assert r.transactions.connector_of(42) is None
        await r.close()

    asyncio.run(main())
