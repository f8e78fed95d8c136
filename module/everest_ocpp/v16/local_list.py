"""1.6 Local Auth List Management: SendLocalList and GetLocalListVersion.

Rules, as libocpp's handlers and the 1.6 specification: without the LocalAuthListManagement profile or
with LocalAuthListEnabled false, SendLocalList is NotSupported and GetLocalListVersion answers -1; an empty
list answers version 0. A Full update replaces the list (no list: empties it) at listVersion; every entry
needs an idTagInfo. A Differential update needs a listVersion above the current one (else VersionMismatch),
adds or replaces the entries with an idTagInfo and removes those without; without entries it only takes
the new version. Beyond libocpp: more entries than SendLocalListMaxLength, an idTag listed twice, or an
update leaving more entries than LocalAuthListMaxLength fail (Failed); the update happens completely or
not at all.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..authorization import LocalList, token_key
from .configuration import ChargePointConfiguration
from .id_tag_info import stored_info

log = logging.getLogger(__name__)

# (token, idTagInfo): 1.6 reports no list entries, so the idTag is kept only as the store's key
Entry = tuple[dict[str, Any], dict[str, Any]]


class LocalAuthList16:
    def __init__(self, config: ChargePointConfiguration, store: LocalList) -> None:
        self._config = config
        self.store = store

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **_: Any) -> Any:
        if not self._config.local_auth_list_enabled:
            version = -1
        else:
            version = self.store.version() if self.store.count() else 0
        return call_result.GetLocalListVersion(list_version=version)

    @on(Action.send_local_list)
    def on_send_local_list(
        self,
        list_version: int,
        update_type: str,
        local_authorization_list: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> Any:
        items = [i for i in local_authorization_list or [] if isinstance(i, dict)]
        status, why = self._apply(list_version, update_type, items)
        log.info(
            "SendLocalList %s version %d with %d entr%s: %s%s",
            update_type,
            list_version,
            len(items),
            "y" if len(items) == 1 else "ies",
            status,
            f" ({why})" if why else "",
        )
        return call_result.SendLocalList(status=status)

    def _apply(self, version: int, update_type: str, items: list[dict[str, Any]]) -> tuple[str, str]:
        """(UpdateStatus, why)."""
        config = self._config
        if not config.local_auth_list_enabled:
            return "NotSupported", "LocalAuthListEnabled is false or the profile is not supported"
        if update_type == "Differential" and version <= self.store.version():
            return "VersionMismatch", f"the list has version {self.store.version()}"
        most = config.send_local_list_max_length
        if most is not None and len(items) > most:
            return "Failed", f"more entries than SendLocalListMaxLength ({most})"
        tags = [str(i.get("id_tag", "")) for i in items]
        if len(set(tags)) != len(tags):
            return "Failed", "an idTag is listed twice"
        upserts: dict[str, Entry] = {}
        removals: list[str] = []
        for tag, item in zip(tags, items, strict=True):
            info = item.get("id_tag_info")
            if isinstance(info, dict):
                upserts[token_key(tag)] = ({}, stored_info(info))
            else:
                removals.append(token_key(tag))
        if update_type == "Full":
            if removals:
                return "Failed", "a Full update needs an idTagInfo for every entry"
            count = len(upserts)
        else:
            count = self.store.count_after(upserts, removals)
        limit = config.local_auth_list_max_length
        if limit is not None and count > limit:
            return "Failed", f"the list would hold {count} entries, LocalAuthListMaxLength is {limit}"
        try:
            if update_type == "Full":
                self.store.replace(version, upserts)
            else:
                self.store.update(version, upserts, removals)
        except Exception as exc:
            log.exception("storing the local authorization list failed")
            return "Failed", f"storage error: {exc}"
        return "Accepted", ""
