"""The OCPP 1.6 configuration store: the VariableStore of 1.6, GetConfiguration/ChangeConfiguration,
and the internal writes the rest of the module needs. Pure: no I/O besides the user config file.

Write rules (ChangeConfiguration and the generic interface alike):
unknown, invisible or unconfigured key -> NotSupported; read-only -> Rejected; value fails its
check -> Rejected; user config cannot be written -> Rejected (nothing changes);
CentralSystemURI -> RebootRequired; otherwise Accepted. Listeners hear of every committed write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from everest_ocpp.v16.configuration.accessors import ConfigurationAccessors
from everest_ocpp.v16.configuration.loader import (
    LoadedConfiguration,
    load_configuration,
    supported_measurands,
)
from everest_ocpp.v16.configuration.model import (
    ConfigurationStatus,
    GetConfigurationResult,
    InvalidValue,
    KeySpec,
    KeyValue,
    Profile,
    SecurityProfileCheck,
    ValidationContext,
)
from everest_ocpp.v16.configuration.persistence import PersistenceError
from everest_ocpp.v16.configuration.slots import (
    METER_PUBLIC_KEY_PREFIX,
    Slot,
    expanded_slots,
    meter_public_key_slot,
    plain_slot,
    price_text_slot,
)
from everest_ocpp.variables import (
    Attribute,
    ChangeListener,
    GetResult,
    GetStatus,
    SetResult,
    SetStatus,
    Source,
    VariableChange,
    VariableRef,
)

_LOG = logging.getLogger(__name__)

MAX_VALUE_LENGTH = 500  # CiString<500> of ChangeConfiguration.req value
_TO_SET_STATUS = {
    ConfigurationStatus.ACCEPTED: SetStatus.ACCEPTED,
    ConfigurationStatus.REBOOT_REQUIRED: SetStatus.REBOOT_REQUIRED,
    ConfigurationStatus.REJECTED: SetStatus.REJECTED,
    ConfigurationStatus.NOT_SUPPORTED: SetStatus.UNKNOWN_VARIABLE,
}


class ChargePointConfiguration(ConfigurationAccessors):
    """All OCPP 1.6 configuration keys of one charge point. Thread-safe."""

    def __init__(self, loaded: LoadedConfiguration, *, clock: Callable[[], datetime] | None = None) -> None:
        self._user_config = loaded.user_config
        self._values = dict(loaded.values)
        self._supported = loaded.supported_profiles
        self._visible_specs = [s for s in loaded.specs.values() if s.profile.value in self._supported]
        self._index = {s.name.lower(): plain_slot(s) for s in self._visible_specs if not s.expanded}
        self._listeners: list[ChangeListener] = []
        self._lock = threading.RLock()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._security_profile_check: SecurityProfileCheck | None = None

    @classmethod
    def load(
        cls,
        config_path: str | Path,
        user_config_path: str | Path,
        *,
        number_of_connectors: int | None = None,
        custom_schema_path: str | Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> ChargePointConfiguration:
        """Load and check ``config_path`` + the user overlay; raises ConfigError naming file and key."""
        loaded = load_configuration(
            Path(config_path),
            Path(user_config_path),
            number_of_connectors=number_of_connectors,
            custom_schema_path=None if custom_schema_path is None else Path(custom_schema_path),
        )
        return cls(loaded, clock=clock)

    # --- lookup -------------------------------------------------------------------------------

    def resolve(self, key: str) -> Slot | None:
        """The visible key ``key`` names (any letter case), or None."""
        slot = self._index.get(key.lower())
        if slot is not None:
            return slot
        lowered = key.lower()
        if lowered.startswith(METER_PUBLIC_KEY_PREFIX.lower()):
            return meter_public_key_slot(key, self.number_of_connectors)
        if (
            lowered.startswith("defaultpricetext,")
            and Profile.COST_AND_PRICE.value in self._supported
            and self._values.get("CustomMultiLanguageMessages") is True
        ):
            return price_text_slot(key)
        return None

    def canonical_name(self, key: str) -> str | None:
        slot = self.resolve(key)
        return None if slot is None else slot.name

    # --- VariableStore --------------------------------------------------------------------------

    def get(self, ref: VariableRef, attribute: Attribute = Attribute.ACTUAL) -> GetResult:
        """Component, instances and attribute are ignored; unknown, unset, write-only -> UnknownVariable."""
        slot = self.resolve(ref.variable)
        value = None if slot is None or slot.spec.write_only else slot.formatted(self._values)
        if slot is None or value is None:
            return GetResult(GetStatus.UNKNOWN_VARIABLE, VariableRef("", ref.variable))
        return GetResult(GetStatus.ACCEPTED, VariableRef("", slot.name), Attribute.ACTUAL, value)

    def set(
        self,
        ref: VariableRef,
        value: str,
        attribute: Attribute = Attribute.ACTUAL,
        *,
        source: str,
        allow_read_only: bool = False,
    ) -> SetResult:
        """ChangeConfiguration rules mapped to SetStatus (NotSupported -> UnknownVariable); echoes ``ref``."""
        status, reason = self._write(ref.variable, value, source=source, allow_read_only=allow_read_only)
        return SetResult(_TO_SET_STATUS[status], ref, attribute, reason)

    def add_listener(self, listener: ChangeListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    # --- CSMS side -------------------------------------------------------------------------------

    def get_configuration(self, keys: Sequence[str] | None = None) -> GetConfigurationResult:
        """GetConfiguration: None/empty -> every visible key with a value, in a stable order."""
        known: list[KeyValue] = []
        unknown: list[str] = []
        with self._lock:
            if not keys:
                for slot in self._all_slots():
                    value = slot.formatted(self._values)
                    if value is not None:
                        known.append(KeyValue(slot.name, slot.spec.readonly, value))
                return GetConfigurationResult(known, unknown)
            for key in keys:
                found = self.resolve(key)
                value = None if found is None or found.spec.write_only else found.formatted(self._values)
                if found is None or value is None:
                    unknown.append(key)
                else:
                    known.append(KeyValue(found.name, found.spec.readonly, value))
        return GetConfigurationResult(known, unknown)

    def change_configuration(self, key: str, value: str, source: str = Source.CSMS) -> ConfigurationStatus:
        return self._write(key, value, source=source, allow_read_only=False)[0]

    # --- internal writes --------------------------------------------------------------------------

    def set_internal(self, key: str, value: str, *, source: str = Source.INTERNAL) -> ConfigurationStatus:
        """A write by the module itself: may change read-only and unset keys, skips the SecurityProfile
        upgrade rule (fallback after a failed switch), still checks the value and persists it."""
        return self._write(key, value, source=source, allow_read_only=True, internal=True)[0]

    def set_heartbeat_interval(self, seconds: int) -> bool:
        """HeartbeatInterval from BootNotification.conf ``interval``."""
        return self.set_internal("HeartbeatInterval", str(seconds)) is ConfigurationStatus.ACCEPTED

    def set_charge_point_information(
        self,
        vendor: str,
        model: str,
        charge_point_serial_number: str | None = None,
        charge_box_serial_number: str | None = None,
        firmware_version: str | None = None,
    ) -> bool:
        """Identity for BootNotification (e.g. from the system module); None leaves a key unchanged."""
        updates = {
            "ChargePointVendor": vendor,
            "ChargePointModel": model,
            "ChargePointSerialNumber": charge_point_serial_number,
            "ChargeBoxSerialNumber": charge_box_serial_number,
            "FirmwareVersion": firmware_version,
        }
        results = [self.set_internal(k, v) for k, v in updates.items() if v is not None]
        return all(status is ConfigurationStatus.ACCEPTED for status in results)

    def set_meter_public_key(self, connector_id: int, public_key: str) -> bool:
        """MeterPublicKey<connector_id> (stored in Internal.MeterPublicKeys)."""
        key = f"{METER_PUBLIC_KEY_PREFIX}{connector_id}"
        return self.set_internal(key, public_key) is ConfigurationStatus.ACCEPTED

    def set_security_profile_check(self, check: SecurityProfileCheck | None) -> None:
        """Installs the certificate check for upgrades to SecurityProfile 2/3 (supplied by the link).

        It runs while the store is locked: it must answer from what the link already knows (no
        blocking round trips, no writes to this store).
        """
        self._security_profile_check = check

    # --- implementation ---------------------------------------------------------------------------

    def _all_slots(self) -> list[Slot]:
        slots: list[Slot] = []
        for spec in self._visible_specs:
            if spec.write_only:
                continue
            if not spec.expanded:
                slots.append(self._index[spec.name.lower()])
            elif spec.name != "DefaultPriceText" or self._values.get("CustomMultiLanguageMessages") is True:
                slots.extend(expanded_slots(spec, self._values))
        return slots

    def _context(self) -> ValidationContext:
        languages = self._values.get("SupportedLanguages")
        return ValidationContext(
            number_of_connectors=self.number_of_connectors,
            supported_measurands=supported_measurands(self._values),
            supported_languages=tuple(s.strip() for s in languages.split(","))
            if isinstance(languages, str)
            else (),
            now=self._clock(),
        )

    def _write(
        self, key: str, text: str, *, source: str, allow_read_only: bool, internal: bool = False
    ) -> tuple[ConfigurationStatus, str | None]:
        slot = self.resolve(key)
        if slot is None:
            return self._refuse(key, ConfigurationStatus.NOT_SUPPORTED, "unknown key", source)
        spec = slot.spec
        with self._lock:
            old = slot.formatted(self._values)
            if old is None and not (spec.settable_when_unset or internal):
                return self._refuse(slot.name, ConfigurationStatus.NOT_SUPPORTED, "not configured", source)
            if spec.readonly and not allow_read_only:
                return self._refuse(slot.name, ConfigurationStatus.REJECTED, "read-only", source)
            try:
                if not internal:
                    _check_transport_limits(text)
                parsed = spec.parser(text, self._context())
                if not internal:
                    self._check_policy(spec, parsed)
                stored = slot.merged(self._values, parsed)
            except InvalidValue as exc:
                return self._refuse(slot.name, ConfigurationStatus.REJECTED, str(exc), source)
            try:
                self._user_config.write(spec.profile.value, slot.storage, stored)
            except PersistenceError as exc:
                _LOG.error("%s not changed: the user config cannot be written: %s", slot.name, exc)
                return ConfigurationStatus.REJECTED, f"not persisted: {exc}"
            self._values[slot.storage] = stored
            new = slot.formatted(self._values) or ""
            if spec.write_only:
                old, new = None, ""
            change = VariableChange(
                VariableRef("", slot.name), Attribute.ACTUAL, old, new, source, spec.write_only
            )
            listeners = list(self._listeners)
        status = ConfigurationStatus.REBOOT_REQUIRED if spec.reboot_required else ConfigurationStatus.ACCEPTED
        if spec.write_only:
            _LOG.info("%s changed (source %s)", slot.name, source)
        else:
            _LOG.info("%s changed to %r (source %s)", slot.name, new, source)
        for listener in listeners:
            try:
                listener(change)
            except Exception:
                _LOG.exception("configuration listener failed for %s", slot.name)
        return status, None

    def _refuse(
        self, key: str, status: ConfigurationStatus, reason: str, source: str
    ) -> tuple[ConfigurationStatus, str]:
        _LOG.info("change of %s by %s: %s (%s)", key, source, status.value, reason)
        return status, reason

    def _check_policy(self, spec: KeySpec, parsed: object) -> None:
        """SecurityProfile may only go up; 1/2 need an AuthorizationKey, 2/3 the link's certificates."""
        if spec.name != "SecurityProfile":
            return
        assert isinstance(parsed, int)
        current = self.security_profile
        if parsed <= current:
            raise InvalidValue(f"SecurityProfile {parsed} is not above the current {current}")
        if parsed in (1, 2) and self.authorization_key is None:
            raise InvalidValue(f"SecurityProfile {parsed} needs an AuthorizationKey")
        check = self._security_profile_check
        if parsed in (2, 3) and check is not None:
            reason = check(parsed)
            if reason is not None:
                raise InvalidValue(reason)


def _check_transport_limits(text: str) -> None:
    """What a ChangeConfiguration value (CiString<500>) can carry: printable ASCII, at most 500 chars."""
    if len(text) > MAX_VALUE_LENGTH:
        raise InvalidValue(f"value longer than {MAX_VALUE_LENGTH} characters")
    if not all(" " <= ch <= "~" for ch in text):
        raise InvalidValue("value must be printable ASCII")
