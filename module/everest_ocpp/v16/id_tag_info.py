"""OCPP 1.6 IdTagInfo (snake_case, as the ``ocpp`` package hands it) <-> the neutral authorization types.

The 1.6 statuses (Accepted, Blocked, Expired, Invalid, ConcurrentTx) are EVerest AuthorizationStatus names,
so they pass unchanged, as in the C++ OCPP module's ``conversions.cpp``. An idTagInfo becomes a
ValidationResult with expiryDate as expiry (RFC 3339 with milliseconds, as libocpp's ``to_rfc3339``) and
parentIdTag as a parent token of type Central (1.6 tokens have no type; the C++ module assumes Central).
An entry whose expiryDate has passed counts as Expired, as libocpp reads its list and cache.
"""

from __future__ import annotations

import time
from typing import Any

from ..generic.authorization import IdToken, Validation
from ..timestamps import normalized, parse

ID_TAG_MAX = 20  # CiString<20>
STATUSES = frozenset({"Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"})


def expiry_epoch(info: dict[str, Any]) -> float | None:
    """expiryDate as epoch seconds (None: none, or not a date)."""
    moment = parse(info.get("expiry_date"))
    return None if moment is None else moment.timestamp()


def current(info: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """``info`` as it stands now: an entry past its expiryDate is Expired (libocpp's database reads)."""
    moment = expiry_epoch(info)
    passed = moment is not None and moment <= (time.time() if now is None else now)
    if passed and info.get("status") != "Expired":
        return {**info, "status": "Expired"}
    return info


def validation_of(info: dict[str, Any]) -> Validation:
    """An IdTagInfo as a validation result (the C++ module's ``validate_standard_request``)."""
    status = str(info.get("status", "Invalid"))
    expiry = info.get("expiry_date")
    parent = info.get("parent_id_tag")
    return Validation(
        status=status if status in STATUSES else "Invalid",
        expiry_time=normalized(expiry) if isinstance(expiry, str) else None,
        parent_id_token=IdToken(parent, "Central") if isinstance(parent, str) and parent else None,
    )


def stored_info(info: dict[str, Any]) -> dict[str, Any]:
    """What the list and the cache keep of an IdTagInfo: status, expiryDate, parentIdTag."""
    return {k: info[k] for k in ("status", "expiry_date", "parent_id_tag") if info.get(k) is not None}
