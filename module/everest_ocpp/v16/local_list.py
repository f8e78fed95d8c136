"""1.6 Local Auth List Management: SendLocalList and GetLocalListVersion.

Rules, as libocpp's handlers and the 1.6 specification: without the LocalAuthListManagement profile or
with LocalAuthListEnabled false, SendLocalList is NotSupported and GetLocalListVersion answers -1; an empty
list answers version 0. A Full update replaces the list (no list: empties it) at listVersion; every entry
needs an idTagInfo. A Differential update needs a listVersion above the current one (else VersionMismatch),
adds or replaces the entries with an idTagInfo and removes those without; without entries it only takes
the new version. Beyond libocpp: more entries than SendLocalListMaxLength, a token listed twice, or an
update leaving more entries than LocalAuthListMaxLength fail (Failed); the update happens completely or
not at all.
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..authorization import token_key
from ..shared_blocks.local_list import Item, LocalListBlock
from .configuration import ChargePointConfiguration
from .id_tag_info import stored_info


class LocalAuthList16(LocalListBlock[ChargePointConfiguration]):
    info_name = "idTagInfo"

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
        self._log_update(update_type, list_version, len(items), status, why)
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
        # 1.6 reports no list entries, so the idTag is kept only as the store's key
        entries: list[Item] = [
            (token_key(str(i.get("id_tag", ""))), {}, _info(i.get("id_tag_info"))) for i in items
        ]
        limit = config.local_auth_list_max_length
        return self._store_update(version, update_type, entries, limit, "LocalAuthListMaxLength")


def _info(info: Any) -> dict[str, Any] | None:
    return stored_info(info) if isinstance(info, dict) else None
