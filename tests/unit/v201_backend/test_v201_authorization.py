"""The 2.0.1 authorization blocks in process: a real device model and stores, a fake link and security.

``validate`` goes through the C01-C15 order; what the block sent (the ``ocpp`` package's call dataclasses),
what it cached and which validation updates it reported come out.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ocpp.v201 import call, call_result

from everest_ocpp.authorization import AuthCache, LocalList, token_key
from everest_ocpp.generic.authorization import IdToken, TokenRequest, Validation, ValidationUpdate
from everest_ocpp.v201.authorization import Authorization201
from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.local_list import LocalAuthList201


class FakeOutbox:
    """Answers every call with ``answer`` (a call result, or an exception to raise)."""

    def __init__(self) -> None:
        self.session: Any = object()
        self.sent: list[Any] = []
        self.answer: Any = call_result.Authorize(id_token_info={"status": "Accepted"})

    @property
    def online(self) -> bool:
        return self.session is not None

    async def call(self, payload: Any) -> Any:
        self.sent.append(payload)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class FakeSecurity:
    async def verify_certificate(self, chain: str, types: list[str]) -> str:
        return "Valid"

    async def mo_ocsp_request_data(self, chain: str) -> list[dict[str, Any]]:
        return []


class Rig:
    def __init__(self, dm: DeviceModel, folder: Path) -> None:
        self.dm = dm
        self.outbox = FakeOutbox()
        self.is_online = True
        self.auth = Authorization201(
            dm,
            self.outbox,  # type: ignore[arg-type]
            lambda: self.is_online,
            AuthCache(folder / "cache.db"),
            LocalList(folder / "list.db"),
            FakeSecurity(),  # type: ignore[arg-type]
        )
        self.updates: list[ValidationUpdate] = []
        self.auth.events.validation_update_listeners.append(self.updates.append)
        self.lists = LocalAuthList201(dm, self.auth.local_list)

    def validate(self, value: str, token_type: str = "ISO14443") -> Validation:
        return asyncio.run(self.auth.validate(TokenRequest(IdToken(value, token_type), "RFID")))

    def asked(self) -> list[str]:
        return [m.id_token["id_token"] for m in self.outbox.sent if isinstance(m, call.Authorize)]

    def set(self, name: str, value: str) -> None:
        from everest_ocpp.variables import Source, VariableRef

        component, variable = name.split(".")
        self.dm.set(VariableRef(component, variable), value, source=Source.INTERNAL, allow_read_only=True)

    def send_list(self, version: int, update: str, items: list[dict[str, Any]]) -> str:
        result = self.lists.on_send_local_list(
            version_number=version, update_type=update, local_authorization_list=items
        )
        return str(result.status)


@pytest.fixture
def rig(open_dm: Callable[..., DeviceModel], tmp_path: Path) -> Rig:
    return Rig(open_dm(), tmp_path)


def entry(value: str, status: str | None, **info: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id_token": {"id_token": value, "type": "ISO14443"}}
    if status is not None:
        out["id_token_info"] = {"status": status, **info}
    return out


def test_central_and_no_authorization_tokens_and_a_disabled_controller_accept_without_asking(
    rig: Rig,
) -> None:
    assert rig.validate("OP", "Central").status == "Accepted"
    assert rig.validate("", "NoAuthorization").status == "Accepted"
    rig.set("AuthCtrlr.Enabled", "false")
    assert rig.validate("ANY").status == "Accepted"
    assert rig.asked() == []


def test_online_without_local_pre_authorize_asks_even_for_listed_tokens(rig: Rig) -> None:
    assert rig.send_list(1, "Full", [entry("L", "Accepted")]) == "Accepted"
    assert rig.validate("L").status == "Accepted"
    assert rig.asked() == []
    rig.set("AuthCtrlr.LocalPreAuthorize", "false")
    assert rig.validate("L").status == "Accepted"
    assert rig.asked() == ["L"]


def test_a_listed_token_past_its_expiry_is_asked_again_and_unknown_offline(rig: Rig) -> None:
    rig.send_list(1, "Full", [entry("OLD", "Accepted", cache_expiry_date_time="2001-01-01T00:00:00Z")])
    rig.outbox.answer = call_result.Authorize(id_token_info={"status": "Expired"})
    assert rig.validate("OLD").status == "Expired"
    assert rig.asked() == ["OLD"]
    rig.is_online = False
    assert rig.validate("OLD").status == "Unknown"
    assert rig.asked() == ["OLD"]


def test_list_disable_post_authorize_answers_the_listed_status(rig: Rig) -> None:
    old = "2001-01-01T00:00:00Z"
    rig.send_list(1, "Full", [entry("BLK", "Blocked"), entry("OLD", "Accepted", cache_expiry_date_time=old)])
    rig.set("LocalAuthListCtrlr.DisablePostAuthorize", "true")
    assert rig.validate("BLK").status == "Blocked"
    assert rig.validate("OLD") == Validation("Expired", expiry_time="2001-01-01T00:00:00.000Z")
    assert rig.asked() == []


def test_no_answer_is_unknown_and_nothing_is_cached(rig: Rig) -> None:
    rig.outbox.answer = TimeoutError()
    assert rig.validate("SLOW").status == "Unknown"
    assert rig.asked() == ["SLOW"]
    assert rig.auth.cache.count() == 0


def test_cached_non_accepted_entry_is_asked_again_unless_post_authorize_is_disabled(rig: Rig) -> None:
    rig.outbox.answer = call_result.Authorize(id_token_info={"status": "Blocked"})
    assert rig.validate("B").status == "Blocked"
    rig.outbox.answer = call_result.Authorize(id_token_info={"status": "Accepted"})
    assert rig.validate("B").status == "Accepted"  # asked again, and the cache follows the answer
    assert rig.validate("B").status == "Accepted"
    assert rig.asked() == ["B", "B"]
    rig.outbox.answer = call_result.Authorize(id_token_info={"status": "Blocked"})
    rig.auth.cache.clear()
    rig.validate("C")
    rig.set("AuthCacheCtrlr.DisablePostAuthorize", "true")
    assert rig.validate("C").status == "Blocked"
    assert rig.asked() == ["B", "B", "C"]


def test_transaction_answers_are_cached_except_for_central_tokens_and_reported(rig: Rig) -> None:
    info = {"status": "Invalid", "group_id_token": {"id_token": "G", "type": "Central"}}
    rig.auth.transaction_answer(2, {"id_token": "T", "type": "ISO14443"}, info)
    rig.auth.transaction_answer(None, {"id_token": "OP", "type": "Central"}, {"status": "Accepted"})
    assert rig.updates == [
        ValidationUpdate(Validation("Invalid", parent_id_token=IdToken("G", "Central")), connector_id=2)
    ]
    assert rig.auth.cache.count() == 1
    cached = rig.auth.cache.get(token_key("T", "ISO14443"))
    assert cached is not None and cached.info == info
    rig.set("AuthCacheCtrlr.Enabled", "false")
    rig.auth.transaction_answer(1, {"id_token": "U", "type": "ISO14443"}, {"status": "Accepted"})
    assert rig.auth.cache.count() == 1 and len(rig.updates) == 2


def test_cache_storage_variable_and_byte_budget(
    open_dm: Callable[..., DeviceModel], config_dir: Path, tmp_path: Path
) -> None:
    path = next(p for p in config_dir.rglob("AuthCacheCtrlr.json"))
    data = json.loads(path.read_text())
    data["properties"]["Storage"]["characteristics"]["maxLimit"] = 250
    path.write_text(json.dumps(data))
    rig = Rig(open_dm(), tmp_path)
    for name in ("A", "B", "C"):
        rig.validate(name)
        time.sleep(0.01)  # distinct last-used times
    # each entry: 64-byte key + '{"status":"Accepted"}' (21) + 32 = 117 bytes; two fit into 250
    assert rig.auth.cache.count() == 2
    assert rig.auth.cache.get(token_key("A", "ISO14443")) is None  # least recently used went
    assert rig.dm.get_int(_ref("AuthCacheCtrlr", "Storage"), default=-1) == 234


def _ref(component: str, variable: str) -> Any:
    from everest_ocpp.variables import VariableRef

    return VariableRef(component, variable)


# --------------------------------------------------------------------------- SendLocalList


def test_local_list_rules_and_reported_size(rig: Rig) -> None:
    entries = _ref("LocalAuthListCtrlr", "Entries")
    storage = _ref("LocalAuthListCtrlr", "Storage")
    assert rig.send_list(2, "Full", [entry("A", "Accepted"), entry("B", "Blocked")]) == "Accepted"
    assert rig.dm.get_int(entries, default=-1) == 2
    assert rig.dm.get_int(storage, default=-1) == rig.auth.local_list.size_bytes() > 0
    assert rig.send_list(2, "Differential", [entry("C", "Accepted")]) == "VersionMismatch"
    assert rig.send_list(3, "Differential", [entry("C", "Accepted"), entry("C", "Blocked")]) == "Failed"
    assert rig.send_list(3, "Differential", [entry("A", None), entry("C", "Accepted")]) == "Accepted"
    assert {e.token["id_token"] for e in rig.auth.local_list.entries()} == {"B", "C"}
    assert rig.send_list(1, "Full", [entry("A", None)]) == "Failed"
    assert rig.auth.local_list.version() == 3
    assert rig.lists.on_get_local_list_version().version_number == 3
    rig.set("LocalAuthListCtrlr.Enabled", "false")
    assert rig.lists.on_get_local_list_version().version_number == 0
    assert rig.send_list(9, "Full", []) == "Failed"


def test_local_list_entries_limit(
    open_dm: Callable[..., DeviceModel], config_dir: Path, tmp_path: Path
) -> None:
    path = next(p for p in config_dir.rglob("LocalAuthListCtrlr.json"))
    data = json.loads(path.read_text())
    data["properties"]["Entries"]["characteristics"]["maxLimit"] = 2
    path.write_text(json.dumps(data))
    rig = Rig(open_dm(), tmp_path)
    assert (
        rig.send_list(1, "Full", [entry("A", "Accepted"), entry("B", "Accepted"), entry("C", "Accepted")])
        == "Failed"
    )
    assert rig.send_list(1, "Full", [entry("A", "Accepted"), entry("B", "Accepted")]) == "Accepted"
    assert rig.send_list(2, "Differential", [entry("C", "Accepted")]) == "Failed"
    assert rig.send_list(2, "Differential", [entry("C", "Accepted"), entry("A", None)]) == "Accepted"
    assert rig.auth.local_list.count() == 2
