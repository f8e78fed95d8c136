"""Per-message limits on CSMS requests (ItemsPerMessage / BytesPerMessage) and the raw message size.

The size of the incoming OCPP-J frame is kept in a context variable set by the session for the
task that handles it, so a handler can compare it with BytesPerMessage without re-serialising.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Sized

from ocpp.exceptions import FormatViolationError, OccurrenceConstraintViolationError

from ..variables import VariableRef
from .device_model import DeviceModel

log = logging.getLogger(__name__)

MESSAGE_SIZE: contextvars.ContextVar[int] = contextvars.ContextVar("ocpp_message_size", default=0)


def note_message_size(raw: str | bytes) -> None:
    MESSAGE_SIZE.set(len(raw.encode()) if isinstance(raw, str) else len(raw))


def enforce_limits(
    dm: DeviceModel,
    action: str,
    items: Sized | None,
    items_ref: VariableRef,
    bytes_ref: VariableRef,
) -> None:
    """Raise the CALLERROR the spec asks for when ``items`` or the frame exceed the configured limits.

    OccurrenceConstraintViolation for too many items, FormatViolation for too many bytes (e.g.
    B06.FR.16/17 for GetVariables); an unset limit is not enforced.
    """
    max_items = dm.get_int(items_ref, default=0)
    if items is not None and max_items > 0 and len(items) > max_items:
        log.info("%s with %d items refused: ItemsPerMessage is %d", action, len(items), max_items)
        raise OccurrenceConstraintViolationError(
            description=f"{len(items)} items, ItemsPerMessage[{items_ref.variable_instance}] is {max_items}"
        )
    max_bytes = dm.get_int(bytes_ref, default=0)
    size = MESSAGE_SIZE.get()
    if max_bytes > 0 and size > max_bytes:
        log.info("%s of %d bytes refused: BytesPerMessage is %d", action, size, max_bytes)
        raise FormatViolationError(
            description=f"{size} bytes, BytesPerMessage[{bytes_ref.variable_instance}] is {max_bytes}"
        )
