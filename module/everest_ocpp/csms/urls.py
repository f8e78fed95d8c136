"""The websocket URL of the CSMS from a configured address, the station identity and security profile."""

from __future__ import annotations

from urllib.parse import quote, urlsplit


class CsmsUrlError(ValueError):
    pass


def csms_url(address: str, identity: str, security_profile: int) -> str:
    """``ws://`` for profiles 0/1, ``wss://`` for 2/3 (added when the address has no scheme).

    The identity becomes the last path segment; an address already ending in it (older configs)
    is not given a second copy.
    """
    if not address:
        raise CsmsUrlError("the CSMS address is empty")
    if not identity:
        raise CsmsUrlError("the charging station identity is empty")
    secure = security_profile >= 2
    if "://" not in address:
        address = f"{'wss' if secure else 'ws'}://{address}"
    parts = urlsplit(address)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise CsmsUrlError(f"'{address}' is not a ws:// or wss:// address")
    if (parts.scheme == "wss") != secure:
        raise CsmsUrlError(f"scheme {parts.scheme}:// does not fit security profile {security_profile}")
    path = parts.path or "/"
    head, _, last = path.rstrip("/").rpartition("/")
    if last == identity:
        path = head + "/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}{quote(identity, safe='')}"
