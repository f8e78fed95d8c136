"""ConnectorStatus16: what StatusNotification.req the CSMS gets, when, and in which order."""

from __future__ import annotations

import asyncio
from typing import Any

from everest_ocpp.bridge.errors import ActiveError
from everest_ocpp.v16.status import ConnectorStatus16
from everest_ocpp.v16.status_machine import Event, Status

from .conftest import CONNECTORS, FakeOutbox, config


def make(
    registered: bool = True, delay: float = 0, initial: Status = Status.AVAILABLE
) -> tuple[Any, FakeOutbox]:
    outbox = FakeOutbox()
    state = {"registered": registered}
    status = ConnectorStatus16(
        config(minimum_status_duration=delay),  # type: ignore[arg-type]
        CONNECTORS,
        outbox,  # type: ignore[arg-type]
        lambda: state["registered"],
        lambda c: initial if c else Status.AVAILABLE,
    )
    status.registration = state  # type: ignore[attr-defined]
    return status, outbox


def sent(outbox: FakeOutbox) -> list[tuple[Any, ...]]:
    return [
        (p.connector_id, p.status, p.error_code, p.info, p.vendor_id, p.vendor_error_code)
        for p in outbox.sent
    ]


def error(uuid: str, error_type: str, evse: int = 1) -> ActiveError:
    return ActiveError(uuid, error_type, "", "broken", "High", evse, None, "mod", "vid", "desc", "impl")


def test_changes_go_out_in_order_only_while_registered_and_send_all_reports_every_connector() -> None:
    status, outbox = make(registered=False)

    async def main() -> None:
        status.submit(1, Event.USAGE_INITIATED, "EVConnected")  # not registered: dropped
        status.registration["registered"] = True
        status.send_all()
        status.submit_evse(2, Event.CHANGE_AVAILABILITY_TO_UNAVAILABLE)
        status.submit(1, Event.START_CHARGING)
        await status.flush()
        await status.close()

    asyncio.run(main())
    assert sent(outbox) == [
        (0, "Available", "NoError", None, None, None),
        (1, "Preparing", "NoError", None, None, None),
        (2, "Available", "NoError", None, None, None),
        (2, "Unavailable", "NoError", None, None, None),
        (1, "Charging", "NoError", None, None, None),
    ]
    assert all(p.timestamp.endswith("Z") for p in outbox.sent)


def test_minimum_status_duration_reports_only_states_that_lasted() -> None:
    status, outbox = make(delay=0.1)

    async def main() -> None:
        status.submit(1, Event.USAGE_INITIATED)
        status.submit(1, Event.START_CHARGING)  # replaces Preparing before it was due
        status.submit(2, Event.RESERVE_CONNECTOR)
        await asyncio.sleep(0.05)
        assert outbox.sent == []
        await asyncio.sleep(0.15)
        await status.flush()
        await status.close()

    asyncio.run(main())
    assert [(p.connector_id, p.status) for p in outbox.sent] == [(1, "Charging"), (2, "Reserved")]


def test_errors_map_to_connectors_and_errors_present_at_start_are_taken_in_silently() -> None:
    status, outbox = make()

    async def main() -> None:
        status.load_errors([error("old", "powermeter/CommunicationFault", evse=2)])
        status.on_error(True, error("f", "evse_manager/Inoperative"))
        status.on_error(True, error("st", "evse_board_support/MREC15PowerLoss", evse=0))
        status.on_error(False, error("f", "evse_manager/Inoperative"))
        await status.trigger(2)
        await status.flush()
        await status.close()

    asyncio.run(main())
    assert sent(outbox) == [
        (1, "Faulted", "OtherError", "caused_by:broken", "vid", "desc"),
        (0, "Available", "OtherError", None, "https://chargex.inl.gov", "CX015"),
        (1, "Available", "NoError", None, None, None),
        (2, "Available", "PowerMeterFailure", None, None, None),
    ]
    assert status.state(1) is Status.AVAILABLE and status.state(2) is Status.AVAILABLE
    assert status.trigger_accepts(None) and status.trigger_accepts(0) and not status.trigger_accepts(3)
