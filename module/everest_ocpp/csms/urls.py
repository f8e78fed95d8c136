"""The websocket URL of the CSMS from a configured address, the station identity and security profile."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote, urlsplit

UrlPart = Literal["address", "identity", "security_profile"]


class CsmsUrlError(ValueError):
    """The address cannot give a usable URL; ``part`` says which setting is at fault, so each
    version can name its own key (1.6 CentralSystemURI, 2.0.1 NetworkConnectionProfiles, ...)."""

    def __init__(self, message: str, part: UrlPart = "address") -> None:
        super().__init__(message)
        self.part: UrlPart = part


def csms_url(address: str, identity: str, security_profile: int) -> str:
    """``ws://`` for profiles 0/1, ``wss://`` for 2/3 (added when the address has no scheme).

    The identity becomes the last path segment; an address already ending in it (older configs)
    is not given a second copy.
    """
    if not address:
        raise CsmsUrlError("the CSMS address is empty")
    if not identity:
        raise CsmsUrlError("the charging station identity is empty", "identity")
    secure = security_profile >= 2
    if "://" not in address:
        address = f"{'wss' if secure else 'ws'}://{address}"
    parts = urlsplit(address)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise CsmsUrlError(f"'{address}' is not a ws:// or wss:// address")
    if (parts.scheme == "wss") != secure:
        needed = "wss://" if secure else "ws://"
        raise CsmsUrlError(
            f"scheme {parts.scheme}:// does not fit security profile {security_profile} (needs {needed})",
            "security_profile",
        )
    path = parts.path or "/"
    head, _, last = path.rstrip("/").rpartition("/")
    if last == identity:
        path = head + "/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}{quote(identity, safe='')}"
