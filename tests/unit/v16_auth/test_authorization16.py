"""Authorization16 in process: the order of list, cache and CSMS, the offline rules, the cache's feeding,
validate_result_update and ClearCache (real SQLite stores, a scripted outbox)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from ocpp.exceptions import InternalError, ProtocolError

from everest_ocpp.authorization import AuthCache, LocalList, token_key
from everest_ocpp.generic.authorization import IdToken, TokenRequest, Validation, ValidationUpdate
from everest_ocpp.v16.authorization import Authorization16
from everest_ocpp.v16.local_list import LocalAuthList16

from .conftest import OFFLINE, FakeOutbox, config

FUTURE, PAST = "2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"


class Rig:
    def __init__(self, folder: Path, online: bool = True, **overrides: Any) -> None:
        self.config = config(**overrides)
        self.outbox = FakeOutbox()
        self.online = online
        self.cache = AuthCache(folder / "auth_cache16.db")
        self.list = LocalList(folder / "local_list16.db")
        self.auth = Authorization16(
            self.config,  # type: ignore[arg-type]
            self.outbox,  # type: ignore[arg-type]
            lambda: self.online,
            self.cache,
            self.list,
        )
        self.updates: list[ValidationUpdate] = []
        self.auth.events.validation_update_listeners.append(self.updates.append)

    def validate(self, tag: str, token_type: str = "ISO14443", how: str = "RFID") -> Validation:
        return asyncio.run(self.auth.validate(TokenRequest(IdToken(tag, token_type), how)))

    def listed(self, tag: str, **info: Any) -> None:
        self.list.update(self.list.version() + 1, {token_key(tag): ({}, info)})

    def cached(self, tag: str, **info: Any) -> None:
        self.cache.put(token_key(tag), info, None)


@pytest.fixture
def rig(tmp_path: Path) -> Any:
    made: list[Rig] = []

    def make(**kwargs: Any) -> Rig:
        r = Rig(tmp_path / str(len(made)), **kwargs)
        made.append(r)
        return r

    yield make
    for r in made:
        r.auth.close()


def test_online_the_csms_decides_and_its_answer_is_converted_and_cached(rig: Any) -> None:
    r = rig()
    r.outbox.script = [{"status": "Accepted", "expiry_date": FUTURE, "parent_id_tag": "PARENT"}]
    assert r.validate("TAG-1", "Central", "OCPP") == Validation(
        "Accepted", expiry_time="2030-01-01T00:00:00.000Z", parent_id_token=IdToken("PARENT", "Central")
    )
    assert r.outbox.asked == ["TAG-1"]
    entry = r.cache.get(token_key("TAG-1"))
    assert entry is not None
    assert entry.info == {"status": "Accepted", "expiry_date": FUTURE, "parent_id_tag": "PARENT"}


def test_without_local_pre_authorize_list_and_cache_are_not_read_online(rig: Any) -> None:
    r = rig()
    r.listed("TAG", status="Blocked")
    r.cached("TAG", status="Blocked")
    assert r.validate("TAG").status == "Accepted"
    assert r.outbox.asked == ["TAG"]


def test_local_pre_authorize_reads_the_list_first_whatever_its_status(rig: Any) -> None:
    r = rig(local_pre_authorize=True)
    r.listed("TAG", status="Blocked", parent_id_tag="P")
    r.cached("TAG", status="Accepted")
    assert r.validate("TAG") == Validation("Blocked", parent_id_token=IdToken("P", "Central"))
    r.listed("OLD", status="Accepted", expiry_date=PAST)
    assert r.validate("OLD").status == "Expired"
    assert r.outbox.asked == []


def test_the_list_is_skipped_while_disabled(rig: Any) -> None:
    r = rig(local_pre_authorize=True, local_auth_list_enabled=False)
    r.listed("TAG", status="Blocked")
    assert r.validate("TAG").status == "Accepted"
    assert r.outbox.asked == ["TAG"]


def test_online_cache_accepted_authorizes_and_others_are_asked_again(rig: Any) -> None:
    r = rig(local_pre_authorize=True)
    r.cached("GOOD", status="Accepted")
    r.cached("BAD", status="Blocked")
    r.cached("OLD", status="Accepted", expiry_date=PAST)
    assert r.validate("GOOD").status == "Accepted"
    entry = r.cache.get(token_key("GOOD"))
    assert entry is not None and entry.uses == 1
    r.outbox.script = [{"status": "Accepted"}, {"status": "Invalid"}]
    assert r.validate("BAD").status == "Accepted"
    assert r.validate("OLD").status == "Invalid"
    assert r.outbox.asked == ["BAD", "OLD"]


@pytest.mark.parametrize(
    ("allow_unknown", "unknown"),
    [(True, "Accepted"), (False, "Invalid")],
)
def test_offline_list_cache_and_unknown_tokens(rig: Any, allow_unknown: bool, unknown: str) -> None:
    r = rig(online=False, local_authorize_offline=True, allow_offline_tx_for_unknown_id=allow_unknown)
    r.listed("LISTED", status="Accepted")
    r.cached("CACHED", status="Accepted")
    r.cached("BLOCKED", status="Blocked")
    r.cached("EXPIRED", status="Accepted", expiry_date=PAST)
    assert [r.validate(t).status for t in ("LISTED", "CACHED", "BLOCKED", "EXPIRED", "STRANGER")] == [
        "Accepted",
        "Accepted",
        "Blocked",
        "Expired",
        unknown,
    ]
    assert r.outbox.asked == []


def test_a_link_lost_during_the_authorize_applies_the_offline_rules_with_list_and_cache(rig: Any) -> None:
    """Online when asked, but the websocket is gone when the Authorize goes out: the token is judged as
    it would have been offline, a cached Blocked entry included (not as an unknown token)."""
    r = rig(local_pre_authorize=True, local_authorize_offline=True, allow_offline_tx_for_unknown_id=True)
    r.cached("BLOCKED", status="Blocked")
    r.outbox.script = [OFFLINE, OFFLINE]
    assert [r.validate(t).status for t in ("BLOCKED", "STRANGER")] == ["Blocked", "Accepted"]
    assert r.outbox.asked == ["BLOCKED", "STRANGER"]


def test_offline_without_local_authorize_offline_every_token_is_unknown(rig: Any) -> None:
    r = rig(online=False, local_authorize_offline=False, allow_offline_tx_for_unknown_id=False)
    r.listed("LISTED", status="Accepted")
    r.cached("CACHED", status="Accepted")
    assert [r.validate(t).status for t in ("LISTED", "CACHED")] == ["Invalid", "Invalid"]


def test_offline_the_cache_is_skipped_while_disabled(rig: Any) -> None:
    r = rig(online=False, local_authorize_offline=True, authorization_cache_enabled=False)
    r.cached("BLOCKED", status="Blocked")
    assert r.validate("BLOCKED").status == "Accepted"  # unknown: AllowOfflineTxForUnknownId


@pytest.mark.parametrize(
    ("failure", "allow_unknown", "expected"),
    [
        (OFFLINE, True, "Accepted"),  # the link went down: the offline rule
        (OFFLINE, False, "Invalid"),
        (TimeoutError(), True, "Invalid"),  # no answer: Invalid, as libocpp
        (ProtocolError("bad"), True, "Invalid"),  # a CALLERROR
    ],
)
def test_an_authorize_without_an_answer(
    rig: Any, failure: Exception, allow_unknown: bool, expected: str
) -> None:
    r = rig(allow_offline_tx_for_unknown_id=allow_unknown)
    r.outbox.script = [failure]
    assert r.validate("TAG").status == expected
    assert r.cache.count() == 0


def test_tokens_that_are_no_1_6_id_tags_are_unknown_without_asking(rig: Any) -> None:
    r = rig()
    assert r.validate("X" * 21).status == "Unknown"
    assert r.validate("EMAID", "eMAID", "PlugAndCharge").status == "Unknown"
    assert r.validate("X" * 20).status == "Accepted"
    assert r.outbox.asked == ["X" * 20]


def test_nothing_is_cached_while_the_cache_is_disabled(rig: Any) -> None:
    r = rig(authorization_cache_enabled=False)
    r.validate("TAG")
    r.auth.start_answered(1, "TAG", {"status": "Accepted"})
    r.auth.stop_answered("TAG", {"status": "Blocked"})
    assert r.cache.count() == 0


def test_a_status_the_csms_does_not_know_is_invalid(rig: Any) -> None:
    r = rig()
    r.outbox.script = [{"status": "Weird"}]
    assert r.validate("TAG").status == "Invalid"


def test_start_transaction_answers_feed_the_cache_and_report_a_parent(rig: Any) -> None:
    r = rig(local_pre_authorize=True)
    r.auth.start_answered(2, "TAG", {"status": "Accepted"})
    assert r.updates == []
    r.auth.start_answered(2, "TAG", {"status": "ConcurrentTx", "parent_id_tag": "GROUP"})
    assert r.updates == [
        ValidationUpdate(Validation("ConcurrentTx", parent_id_token=IdToken("GROUP", "ISO14443")), 2)
    ]
    entry = r.cache.get(token_key("TAG"))
    assert entry is not None and entry.info == {"status": "ConcurrentTx", "parent_id_tag": "GROUP"}
    r.auth.start_answered(None, "OTHER", {"status": "Accepted", "parent_id_tag": "GROUP"})
    assert len(r.updates) == 1  # no EVSE known: nothing to report
    r.auth.start_answered(1, "", {"status": "Accepted"})  # no idTag: nothing cached
    assert r.cache.count() == 2


def test_stop_transaction_answers_feed_the_cache(rig: Any) -> None:
    r = rig(online=False, local_authorize_offline=True)
    r.auth.stop_answered("TAG", {"status": "Blocked"})
    assert r.validate("TAG").status == "Blocked"


def test_clear_cache(rig: Any) -> None:
    r = rig()
    r.cached("TAG", status="Accepted")
    assert r.auth.on_clear_cache().status == "Accepted"
    assert r.cache.count() == 0
    r.cached("TAG", status="Accepted")
    r.config.authorization_cache_enabled = False
    assert r.auth.on_clear_cache().status == "Rejected"
    assert r.cache.count() == 1


def test_clear_cache_storage_failure_is_an_internal_error(rig: Any) -> None:
    r = rig()
    r.cache.close()
    with pytest.raises(InternalError):
        r.auth.on_clear_cache()
    r.cache = r.auth.cache = AuthCache(":memory:")


def test_a_failure_inside_is_unknown(rig: Any) -> None:
    r = rig(local_pre_authorize=True)
    r.list.close()
    assert r.validate("TAG").status == "Unknown"
    r.list = r.auth.local_list = LocalList(":memory:")


def test_id_tags_never_reach_the_files_in_clear_text(tmp_path: Path) -> None:
    r = Rig(tmp_path)
    block = LocalAuthList16(r.config, r.list)  # type: ignore[arg-type]
    block.on_send_local_list(
        list_version=1,
        update_type="Full",
        local_authorization_list=[{"id_tag": "LISTED-SECRET", "id_tag_info": {"status": "Accepted"}}],
    )
    r.validate("CACHED-SECRET")
    r.auth.close()
    for name in ("auth_cache16.db", "local_list16.db"):
        raw = (tmp_path / name).read_bytes()
        assert b"SECRET" not in raw, name
