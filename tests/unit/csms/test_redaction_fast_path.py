"""Frames that cannot hold a secret are logged as they are, the others scrubbed: the logged content
is what full scrubbing gives, and secrets never reach a log, however a frame spells them (escapes,
case, Unicode, nesting, cut frames)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.csms.message_log import MessageLog
from everest_ocpp.csms.redaction import SECRET_NAMES, _scrub, may_hold_secret, redacted

SECRET = "s3cr3t-v4lue-0123456789"


def scrubbed_always(frame: str) -> str:
    """What the log showed before the fast path: every frame scrubbed."""
    try:
        obj = json.loads(frame)
    except ValueError:
        return "<unparsable frame>"
    return json.dumps(_scrub(obj), separators=(",", ":"))


TRICKY = [
    # the name spelled with an escape: not literally in the text
    '[2,"1","ChangeConfiguration",{"key":"\\u0041uthorizationKey","value":"' + SECRET + '"}]',
    '[2,"1","ChangeConfiguration",{"key":"Authorization\\u004bey","value":"' + SECRET + '"}]',
    # the Kelvin sign lower-cases to "k": both sides use str.lower()
    '[2,"1","ChangeConfiguration",{"key":"Authorization\u212aey","value":"' + SECRET + '"}]',
    '[2,"1","ChangeConfiguration",{"key":"AUTHORIZATIONKEY","value":"' + SECRET + '"}]',
    '[2,"1","ChangeConfiguration",{"value":"' + SECRET + '","key":"AuthorizationKey"}]',
    # names as keys, nested, in SetVariables / SetNetworkProfile
    '[2,"1","SetNetworkProfile",{"connectionData":{"vpn":{"server":"a","user":"b","password":"'
    + SECRET
    + '","key":"'
    + SECRET
    + 'x"},"apn":{"apn":"c","apnPassword":"'
    + SECRET
    + 'y","simPin":1234}}}]',
    '[2,"1","SetVariables",{"setVariableData":[{"attributeValue":"'
    + SECRET
    + '","component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"}}]}]',
    '[2,"1","InstallCertificate",{"privateKey":"' + SECRET + '"}]',
    # unparsable, with and without a name: never logged as text
    '[2,"1","ChangeConfiguration",{"value":"' + SECRET + '","key":"Authoriz',
    '[2,"1","ChangeConfiguration",{"value":"' + SECRET,
    # no secret at all
    '[2,"1","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"t","sampledValue":[{"value":"1"}]}]}]',
    '[3, "1", {"status": "Accepted", "currentTime": "2026-01-01T00:00:00Z", "interval": 300}]',
    '[2,"1","DataTransfer",{"vendorId":"v","data":"caf\u00e9 \u2603"}]',
]


def same_content(logged: str, frame: str) -> bool:
    """``logged`` says what full scrubbing of ``frame`` says (verbatim, or re-serialised)."""
    reference = scrubbed_always(frame)
    if reference == "<unparsable frame>":
        return logged == reference
    fast = logged == frame and "\n" not in frame
    return (fast or logged == reference) and json.loads(logged) == json.loads(reference)


@pytest.mark.parametrize("frame", TRICKY)
def test_logged_content_is_what_full_scrubbing_gives(frame: str) -> None:
    assert same_content(redacted(frame), frame)
    assert redacted(frame.encode()) == redacted(frame)
    assert SECRET not in redacted(frame)


def test_frames_without_a_name_are_not_suspect_and_the_others_are() -> None:
    assert not may_hold_secret(TRICKY[-3])
    assert not may_hold_secret(TRICKY[-2])
    for frame in TRICKY[:8]:
        assert may_hold_secret(frame), frame


WORDS = [
    *SECRET_NAMES,
    "AuthorizationKey",
    "BasicAuthPassword",
    "vpn",
    "VPN",
    "key",
    "value",
    "attributeValue",
    "actualValue",
    "name",
    "variable",
    "component",
    "status",
    "Accepted",
    "x",
    "caf\u00e9",
    "Authorization\u212aey",
    SECRET,
]


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([*WORDS, 1, 2.5, True, None])
    if roll < 0.7:
        return {rng.choice(WORDS): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]


def test_random_frames_log_the_content_of_full_scrubbing() -> None:
    rng = random.Random(13)
    suspects = 0
    for _ in range(3000):
        doc = [2, "id", "Action", random_value(rng, 0)]
        frame = json.dumps(
            doc, ensure_ascii=rng.random() < 0.5, separators=rng.choice([(",", ":"), (", ", ": ")])
        )
        assert same_content(redacted(frame), frame)
        if not may_hold_secret(frame):
            assert _scrub(json.loads(frame)) == json.loads(frame)  # nothing to mask indeed
            assert redacted(frame) == frame
        else:
            suspects += 1
            assert redacted(frame) == scrubbed_always(frame)
    assert 300 < suspects < 2700  # both paths taken


def test_the_message_log_never_holds_a_secret(tmp_path: Path) -> None:
    log = MessageLog(tmp_path)
    for frame in TRICKY:
        log("->", frame)
        log("<-", frame.encode())
    log.close()
    text = log.path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert text.count("\n") == 2 * len(TRICKY)
    assert f"-> {TRICKY[-3]}\n" in text  # frames without secrets are logged as they are
    assert f"<- {TRICKY[-2]}\n" in text


def test_a_frame_on_several_lines_is_logged_on_one() -> None:
    frame = '[3,"1",\n {"status": "Accepted"}]'
    assert redacted(frame) == '[3,"1",{"status":"Accepted"}]'
