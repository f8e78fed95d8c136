"""Schema validation of OCPP-J payloads: the ``ocpp`` package's, run inline and compiled when hot.

The package validates every request and answer against its JSON schemas (Draft 4, formats not
checked) in an executor thread: a thread hop per message, and jsonschema interpreting the schema
(~0.75 ms for a 1.6 MeterValues with nine values). Here the same schemas are compiled with
fastjsonschema once an action has been validated a few times (~35 us then), and checked on the
event loop. The verdict stays the package's: a payload the compiled check accepts is valid, and
anything it does not accept goes to the package's own validation, which raises the package's
OCPPError (or accepts, if the two disagree). The three 1.6 messages the package validates with
Decimal numbers (multipleOf 0.1) always go to the package.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import fastjsonschema
import ocpp.messages
from ocpp.messages import Call, CallResult, get_validator

# incoming calls are validated by the package's ChargePoint itself: inline, not in a thread
ocpp.messages.ASYNC_VALIDATION = False

DRAFT_4 = "http://json-schema.org/draft-04/schema#"
COMPILE_AFTER = 3  # validations of an action before its schema is compiled (start-up messages are not)
_DECIMAL = {
    ("1.6", 2, "SetChargingProfile"),
    ("1.6", 2, "RemoteStartTransaction"),
    ("1.6", 3, "GetCompositeSchedule"),
}

Key = tuple[str, int, str]  # (version, message type id, action)


class _Schema:
    __slots__ = ("check", "uses")

    def __init__(self) -> None:
        self.uses = 0
        self.check: Callable[[Any], Any] | bool | None = None  # False: the package validates alone


_schemas: dict[Key, _Schema] = {}


def _compiled(key: Key) -> Callable[[Any], Any] | bool:
    version, message_type_id, action = key
    if key in _DECIMAL:
        return False
    try:
        schema = copy.deepcopy(get_validator(message_type_id, action, version).schema)
        schema["$schema"] = DRAFT_4  # the package validates 2.0.1's draft-06 schemas as Draft 4 too
        return fastjsonschema.compile(schema, use_formats=False, use_default=False, detailed_exceptions=False)
    except Exception:  # no schema (the package answers NotImplemented), or one fastjsonschema refuses
        return False


def validate(message: Call | CallResult, version: str) -> None:
    """Raise what the package's validation raises for ``message`` (its action set), else nothing."""
    key = (version, message.message_type_id, str(message.action))
    entry = _schemas.get(key)
    if entry is None:
        entry = _schemas[key] = _Schema()
    if entry.check is None:
        entry.uses += 1
        if entry.uses > COMPILE_AFTER:
            entry.check = _compiled(key)
    check = entry.check
    if check:
        try:
            check(message.payload)  # type: ignore[operator]
            return
        except Exception:  # JsonSchemaValueException, or data the generated code cannot handle
            pass
    ocpp.messages._validate_payload(message, version)


def compiled_actions() -> set[Key]:
    """The schemas compiled so far (for tests and benchmarks)."""
    return {key for key, entry in _schemas.items() if entry.check}
