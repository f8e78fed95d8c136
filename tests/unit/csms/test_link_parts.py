"""Version-neutral CSMS link pieces: URLs, back-off, redaction, the persistent queue, state files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from everest_ocpp.csms.backoff import BackoffPolicy
from everest_ocpp.csms.message_queue import PersistentQueue
from everest_ocpp.csms.redaction import redacted
from everest_ocpp.csms.security_events import is_critical
from everest_ocpp.csms.urls import CsmsUrlError, csms_url
from everest_ocpp.storage import atomic_write_json, read_json


@pytest.mark.parametrize(
    ("address", "profile", "url"),
    [
        ("127.0.0.1:9000/cp001", 0, "ws://127.0.0.1:9000/cp001"),
        ("127.0.0.1:9000/cp001/", 1, "ws://127.0.0.1:9000/cp001"),
        (
            "127.0.0.1:8180/steve/websocket/CentralSystemService/",
            0,
            "ws://127.0.0.1:8180/steve/websocket/CentralSystemService/cp001",
        ),
        ("csms.example.com/ocpp", 2, "wss://csms.example.com/ocpp/cp001"),
        ("wss://csms.example.com", 3, "wss://csms.example.com/cp001"),
        ("ws://10.0.0.1:80/a/cp001x", 1, "ws://10.0.0.1:80/a/cp001x/cp001"),
    ],
)
def test_csms_url(address: str, profile: int, url: str) -> None:
    assert csms_url(address, "cp001", profile) == url


def test_csms_url_quotes_identity_and_refuses_mismatches() -> None:
    assert csms_url("h:1", "cp 1/x", 0) == "ws://h:1/cp%201%2Fx"
    for address, profile in (("wss://h", 1), ("ws://h", 2), ("http://h", 0), ("", 0)):
        with pytest.raises(CsmsUrlError):
            csms_url(address, "cp001", profile)


def test_backoff_doubles_then_stays() -> None:
    policy = BackoffPolicy(wait_minimum_s=3, random_range_s=0, repeat_times=2)
    assert [policy.delay(a) for a in range(5)] == [3, 6, 12, 12, 12]
    jittered = BackoffPolicy(2, 10, 0)
    delays = [jittered.delay(0, random.Random(i)) for i in range(50)]
    assert all(2 <= d <= 12 for d in delays) and len(set(delays)) > 40


def test_redaction_masks_secrets_only() -> None:
    frame = json.dumps([2, "1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": "SECRETSECRET"}])
    assert "SECRETSECRET" not in redacted(frame)
    assert '"key":"AuthorizationKey"' in redacted(frame)
    setvar = [
        2,
        "2",
        "SetVariables",
        {
            "setVariableData": [
                {
                    "attributeValue": "pw-1234567890123",
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "BasicAuthPassword"},
                },
                {
                    "attributeValue": "60",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                },
            ]
        },
    ]
    out = redacted(json.dumps(setvar))
    assert "pw-1234567890123" not in out and '"attributeValue":"60"' in out
    assert redacted(b"not json") == "<unparsable frame>"


def test_criticality_lists() -> None:
    assert is_critical("StartupOfTheDevice", None, "1.6") and is_critical("StartupOfTheDevice", None, "2.0.1")
    assert not is_critical("InvalidCsmsCertificate", None, "1.6")
    assert is_critical("InvalidCsmsCertificate", None, "2.0.1")
    assert is_critical("Anything", True, "1.6") and not is_critical("ResetOrReboot", False, "2.0.1")


def test_persistent_queue_keeps_order_across_reopen(tmp_path: Path) -> None:
    q = PersistentQueue(tmp_path / "q.db")
    q.push("SecurityEventNotification", {"type": "A"})
    q.push("SecurityEventNotification", {"type": "B"})
    q.close()
    q = PersistentQueue(tmp_path / "q.db")
    first = q.head()
    assert first is not None and (first.action, first.payload) == ("SecurityEventNotification", {"type": "A"})
    q.remove(first.id)
    second = q.head()
    assert second is not None and second.payload == {"type": "B"} and not second.transactional
    assert len(q) == 1


def test_atomic_json(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert read_json(path, {"empty": True}) == {"empty": True}
    atomic_write_json(path, {"1": "Inoperative"})
    assert read_json(path, None) == {"1": "Inoperative"}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left behind
