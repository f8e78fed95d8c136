"""``main`` (interface ``ocpp_1_6_charge_point``): control of the 1.6 charge point and its configuration keys.

A translation layer between the interface's types and the 1.6 backend; it knows neither MQTT nor
OCPP-J. Like the C++ OCPP module, every answer needs a running 1.6 charge point: before the backend
exists, and on OCPP 2.0.1 (whose C++ module does not provide ``main`` at all), commands answer as
the C++ module does while its charge point is not initialised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..generic.backend import OcppBackend, SecurityEventRequest
from ..variables import Source, VariableChange

if TYPE_CHECKING:
    from ..v16.configuration.model import ConfigurationStatus, GetConfigurationResult

log = logging.getLogger(__name__)

Publish = Callable[[str, Any], object]  # (var name, value)

TYPE_MAX, INFO_MAX = 50, 255  # as ocpp_generic's security_event: SecurityEventNotification limits
SOURCE = "set_configuration_key"  # origin of writes made through this interface


class ConfigurationKeys(Protocol):
    """What ``main`` needs of the 1.6 configuration store (GetConfiguration / ChangeConfiguration)."""

    def get_configuration(self, keys: Sequence[str] | None = None) -> GetConfigurationResult: ...

    def change_configuration(self, key: str, value: str, source: str = ...) -> ConfigurationStatus: ...


class ChargePoint16:
    """Command handlers and vars of ``main``."""

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._backend: OcppBackend | None = None
        self._monitored: set[str] = set()  # lower-case key names (1.6 keys ignore letter case)
        self._warned_v201 = False

    def attach(self, backend: OcppBackend) -> None:
        self._backend = backend
        if backend.version == "1.6":
            backend.variables.add_listener(self._on_variable_change)

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {
            "stop": self.stop,
            "restart": self.restart,
            "get_configuration_key": self.get_configuration_key,
            "set_configuration_key": self.set_configuration_key,
            "monitor_configuration_keys": self.monitor_configuration_keys,
            "security_event": self.security_event,
        }

    def _charge_point(self, cmd: str) -> OcppBackend | None:
        """The running 1.6 backend, or None (logged) when there is none to answer with."""
        backend = self._backend
        if backend is None:
            log.warning("main %s: the OCPP 1.6 charge point is not running", cmd)
            return None
        if backend.version != "1.6":
            if not self._warned_v201:
                self._warned_v201 = True
                log.warning(
                    "main (ocpp_1_6_charge_point) is used with OCPP %s: it only works with OCPP 1.6, so its "
                    "commands answer as a stopped charge point (use ocpp_generic instead)",
                    backend.version,
                )
            return None
        return backend

    # ---- commands --------------------------------------------------------------------------------
    async def stop(self) -> bool:
        backend = self._charge_point("stop")
        return False if backend is None else await backend.stop()

    async def restart(self) -> bool:
        backend = self._charge_point("restart")
        return False if backend is None else await backend.restart()

    def get_configuration_key(self, keys: list[str]) -> dict[str, Any]:
        backend = self._charge_point("get_configuration_key")
        if backend is None:
            return {"configuration_keys": [], "unknown_keys": list(keys)}
        result = cast(ConfigurationKeys, backend.variables).get_configuration(keys)
        known = []
        for kv in result.known:
            entry: dict[str, Any] = {"key": kv.key, "read_only": kv.readonly}
            if kv.value is not None:
                entry["value"] = kv.value
            known.append(entry)
        return {"configuration_keys": known, "unknown_keys": list(result.unknown)}

    def set_configuration_key(self, key: str, value: str) -> str:
        backend = self._charge_point("set_configuration_key")
        if backend is None:
            return "Rejected"
        status = cast(ConfigurationKeys, backend.variables).change_configuration(key, value, source=SOURCE)
        return str(status)

    def monitor_configuration_keys(self, keys: list[str]) -> None:
        backend = self._backend
        if backend is not None and backend.version != "1.6":
            self._charge_point("monitor_configuration_keys")  # warns once
            return
        # Kept even before the backend runs: the C++ module's charge point exists from its init, so
        # modules register monitors early and expect them to hold.
        self._monitored.update(key.lower() for key in keys)

    def security_event(self, type: str, info: str) -> None:
        backend = self._charge_point("security_event")
        if backend is None:
            return  # dropped (the C++ module has no answer here: it dereferences its missing charge point)
        backend.security_event(SecurityEventRequest(type=type[:TYPE_MAX], info=info[:INFO_MAX]))

    # ---- vars ------------------------------------------------------------------------------------
    def _on_variable_change(self, change: VariableChange) -> None:
        # The module's own writes (e.g. HeartbeatInterval from BootNotification.conf) are not
        # configuration changes in the C++ module's sense and are not reported.
        if change.source == Source.INTERNAL or change.ref.variable.lower() not in self._monitored:
            return
        key_value: dict[str, Any] = {"key": change.ref.variable, "read_only": False}
        if not change.write_only:  # never publish a secret (AuthorizationKey)
            key_value["value"] = change.new_value
        self._publish("configuration_key", key_value)

    # BackendEvents (through the fan-out, mirroring ocpp_generic)
    def connection_changed(self, connected: bool) -> None:
        self._publish("is_connected", connected)

    def boot_notification_response(self, response: dict[str, Any]) -> None:
        pass  # not part of this interface

    def internal_security_event(self, type: str, info: str | None) -> None:
        self._publish("security_event", {"type": type[:TYPE_MAX], "info": (info or "")[:INFO_MAX]})

    def charging_schedules(self, schedules: list[dict[str, Any]]) -> None:
        pass  # not part of this interface

    def transaction_event(self, event: dict[str, Any]) -> None:
        pass  # not part of this interface

    def transaction_event_response(self, response: dict[str, Any]) -> None:
        pass  # not part of this interface
