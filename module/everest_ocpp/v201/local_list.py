"""2.0.1 Local Authorization List Management (D01, D02): SendLocalList and GetLocalListVersion.

Rules, as libocpp's ``Authorization::apply_local_authorization_list``: nothing changes while
LocalAuthListCtrlr.Enabled is false (Failed; GetLocalListVersion answers 0, D02.FR.03); a
versionNumber of 0 or less fails (D01.FR.18); a Full update replaces the list (no list: empties it,
D01.FR.04) and needs an idTokenInfo on every entry; a Differential update needs a versionNumber above
the current one (else VersionMismatch, D01.FR.19), adds or replaces entries with an idTokenInfo and
removes those without (D01.FR.16/17), and without entries only takes the new version (D01.FR.05); a
list naming a token twice fails (D01.FR.06). Beyond libocpp: more entries than
LocalAuthListCtrlr.ItemsPerMessage or a message larger than BytesPerMessage is refused with a
CALLERROR (OccurrenceConstraintViolation / FormatViolation, as for the other limited requests), and
an update leaving more entries than LocalAuthListCtrlr.Entries' maxLimit fails. After every accepted
update LocalAuthListCtrlr.Entries and Storage say how many entries and bytes the list holds (D01.FR.12).
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..authorization import token_key
from ..shared_blocks.local_list import Item, LocalListBlock
from ..variables import Source, VariableRef
from .device_model import DeviceModel
from .device_model import well_known as wk
from .message_limits import enforce_limits

ENTRIES = VariableRef("LocalAuthListCtrlr", "Entries")
STORAGE = VariableRef("LocalAuthListCtrlr", "Storage")
ITEMS_PER_MESSAGE = VariableRef("LocalAuthListCtrlr", "ItemsPerMessage")
BYTES_PER_MESSAGE = VariableRef("LocalAuthListCtrlr", "BytesPerMessage")


def _key(token: dict[str, Any]) -> str:
    return token_key(str(token.get("id_token", "")), str(token.get("type", "")))


class LocalAuthList201(LocalListBlock[DeviceModel]):
    info_name = "idTokenInfo"

    def enabled(self) -> bool:
        return self._config.get_bool(wk.LOCAL_AUTH_LIST_ENABLED, default=False)

    def start(self) -> None:
        self._report_size()

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **_: Any) -> Any:
        return call_result.GetLocalListVersion(version_number=self.store.version() if self.enabled() else 0)

    @on(Action.send_local_list)
    def on_send_local_list(
        self,
        version_number: int,
        update_type: str,
        local_authorization_list: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> Any:
        items = [i for i in local_authorization_list or [] if isinstance(i, dict)]
        enforce_limits(self._config, "SendLocalList", items, ITEMS_PER_MESSAGE, BYTES_PER_MESSAGE)
        status, why = self._apply(version_number, update_type, items)
        self._log_update(update_type, version_number, len(items), status, why)
        if status == "Accepted":
            self._report_size()
        info = (
            None if status != "Failed" or not why else {"reason_code": "InvalidValue", "additional_info": why}
        )
        return call_result.SendLocalList(status=status, status_info=info)

    def _apply(self, version: int, update_type: str, items: list[dict[str, Any]]) -> tuple[str, str]:
        """(SendLocalListStatus, why it failed)."""
        if not self.enabled():
            return "Failed", "LocalAuthListCtrlr.Enabled is false"
        if version <= 0:
            return "Failed", "versionNumber must be above 0"  # D01.FR.18
        if update_type == "Differential" and version <= self.store.version():
            return "VersionMismatch", ""  # D01.FR.19
        entries: list[Item] = []
        for item in items:
            token = item.get("id_token") or {}
            info = item.get("id_token_info")
            entries.append((_key(token), token, info if isinstance(info, dict) else None))
        # D01.FR.06: a token twice fails
        return self._store_update(
            version, update_type, entries, self._max_entries(), "LocalAuthListCtrlr.Entries"
        )

    def _max_entries(self) -> int | None:
        variable = self._config.variable(ENTRIES)
        if variable is None or variable.characteristics.max_limit is None:
            return None
        return int(variable.characteristics.max_limit)

    def _report_size(self) -> None:
        for ref, value in ((ENTRIES, self.store.count()), (STORAGE, self.store.size_bytes())):
            if self._config.variable(ref) is not None and self._config.value(ref) != str(value):
                self._config.set(ref, str(value), source=Source.INTERNAL, allow_read_only=True)
