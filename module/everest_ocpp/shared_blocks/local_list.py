"""SendLocalList and GetLocalListVersion, both versions: how an update is applied to the
version-neutral :class:`..authorization.LocalList` store.

A Full update replaces the list (no list: empties it) and needs an info on every entry; a
Differential update adds or replaces the entries with an info and removes those without (without
entries it only takes the new version). A list naming a token twice fails, as does an update that
would leave more entries than the configured maximum; the update happens completely or not at all.
What comes before (enabled, the version number's rules, message limits) is the version's.
"""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

from ..authorization import LocalList

log = logging.getLogger(__name__)

Config = TypeVar("Config")  # the version's configuration: 1.6 keys or the 2.0.1 device model
Entry = tuple[dict[str, Any], dict[str, Any]]  # (token, info) as the version keeps them
Item = tuple[str, dict[str, Any], dict[str, Any] | None]  # (store key, token, info; None: remove)


class LocalListBlock(Generic[Config]):
    """What the local list blocks of both versions do; a version's subclass adds its messages."""

    info_name = ""  # what the version calls an entry's info (idTagInfo, idTokenInfo)

    def __init__(self, config: Config, store: LocalList) -> None:
        self._config = config
        self.store = store

    def _store_update(
        self, version: int, update_type: str, items: list[Item], limit: int | None, limit_name: str
    ) -> tuple[str, str]:
        """Apply checked items: (UpdateStatus, why it failed); ``limit`` (named ``limit_name``) is
        the most entries the list may hold."""
        keys = [key for key, _token, _info in items]
        if len(set(keys)) != len(keys):
            return "Failed", "a token is listed twice"
        upserts: dict[str, Entry] = {}
        removals: list[str] = []
        for key, token, info in items:
            if info is not None:
                upserts[key] = (token, info)
            else:
                removals.append(key)
        if update_type == "Full":
            if removals:
                return "Failed", f"a Full update needs an {self.info_name} for every entry"
            count = len(upserts)
        else:
            count = self.store.count_after(upserts, removals)
        if limit is not None and count > limit:
            return "Failed", f"the list would hold {count} entries, {limit_name} allows {limit}"
        try:
            if update_type == "Full":
                self.store.replace(version, upserts)
            else:
                self.store.update(version, upserts, removals)
        except Exception as exc:
            log.exception("storing the local authorization list failed")
            return "Failed", f"storage error: {exc}"
        return "Accepted", ""

    @staticmethod
    def _log_update(update_type: str, version: int, entries: int, status: str, why: str) -> None:
        log.info(
            "SendLocalList %s version %d with %d entr%s: %s%s",
            update_type,
            version,
            entries,
            "y" if entries == 1 else "ies",
            status,
            f" ({why})" if why else "",
        )
