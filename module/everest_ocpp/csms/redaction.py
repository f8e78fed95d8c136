"""Keep secrets out of logs: OCPP-J frames are logged only after this."""

from __future__ import annotations

import json
from typing import Any

SECRET_NAMES = frozenset(
    {"authorizationkey", "basicauthpassword", "privatekey", "password", "apnpassword", "simpin"}
)
VPN_SECRETS = frozenset({"key"})  # SetNetworkProfile connectionData.vpn.key (besides its password)
MASK = "***"


def _scrub(obj: Any, secret_context: bool = False) -> Any:
    if isinstance(obj, dict):
        # ChangeConfiguration{key: AuthorizationKey, value: ...} and
        # SetVariables{variable: {name: BasicAuthPassword}, attributeValue: ...}: secret beside its name
        names = {str(v).lower() for v in obj.values() if isinstance(v, str)}
        inner = {n for v in obj.values() if isinstance(v, dict) for n in _names(v)}
        secret = secret_context or bool((names | inner) & SECRET_NAMES)
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k.lower() in SECRET_NAMES or (
                secret
                and k
                in (
                    "value",
                    "attributeValue",
                    "actualValue",
                    "actual_value",
                    "attribute_value",
                )
            ):
                out[k] = MASK
            elif k == "vpn" and isinstance(v, dict):
                out[k] = {n: MASK if n in VPN_SECRETS else x for n, x in _scrub(v, False).items()}
            else:
                out[k] = _scrub(v, False)
        return out
    if isinstance(obj, list):
        return [_scrub(v, secret_context) for v in obj]
    return obj


def _names(d: dict[str, Any]) -> set[str]:
    found = set()
    for v in d.values():
        if isinstance(v, str):
            found.add(v.lower())
        elif isinstance(v, dict):
            found |= _names(v)
    return found


def may_hold_secret(text: str) -> bool:
    """False only when :func:`_scrub` cannot mask anything in the JSON ``text``: without a backslash
    every key and string value of the document stands literally in the text, so a name that makes a
    value secret (compared lower-cased) or a "vpn" key would be found in the lower-cased text."""
    if "\\" in text:
        return True  # an escape can spell a name that is not literally there
    lowered = text.lower()
    return "vpn" in lowered or any(name in lowered for name in SECRET_NAMES)


def redacted(frame: str | bytes | Any) -> str:
    """A loggable form of an OCPP-J frame or payload with secret values masked."""
    if isinstance(frame, bytes):
        frame = frame.decode("utf-8", "replace")
    if isinstance(frame, str):
        try:
            obj = json.loads(frame)  # also when nothing is secret: a cut frame may end before a name
        except ValueError:
            return "<unparsable frame>"
        if not may_hold_secret(frame) and "\n" not in frame and "\r" not in frame:
            return frame  # most frames (MeterValues, StatusNotification, ...), as on the wire
    else:
        obj = frame
    return json.dumps(_scrub(obj), separators=(",", ":"))


def secret_values(payload: Any) -> set[str]:
    """The string values :func:`redacted` would mask in ``payload``, to scrub them from other text
    (an exception message or traceback that echoes an argument)."""
    found: set[str] = set()

    def walk(original: Any, scrubbed: Any) -> None:
        if isinstance(original, dict) and isinstance(scrubbed, dict):
            for key, value in original.items():
                if scrubbed.get(key) == MASK and isinstance(value, str) and value and value != MASK:
                    found.add(value)
                else:
                    walk(value, scrubbed.get(key))
        elif isinstance(original, list) and isinstance(scrubbed, list):
            for a, b in zip(original, scrubbed, strict=False):
                walk(a, b)

    walk(payload, _scrub(payload))
    return found


def scrub_text(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
