"""The EVerest `ocpp` interface (implementation id ``ocpp_generic``) on top of an OCPP backend.

Pure translation between the interface's types and the version-neutral backend/variable view; it
knows neither MQTT nor OCPP-J. Results come back one per request, in request order, always.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

from ..timestamps import parse, rfc3339
from ..variables import VariableChange
from .backend import OcppBackend, SecurityEventRequest

log = logging.getLogger(__name__)

Publish = Callable[[str, Any], object]  # (var name, value)

TYPE_MAX, INFO_MAX = 50, 255


def _event_time(value: str | None) -> datetime | None:
    moment = parse(value)
    if value and moment is None:
        log.warning("security event timestamp %r is not RFC 3339; using now", value[:40])
    return moment


class OcppInterface:
    """Command handlers and var publication of ``ocpp_generic``."""

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self.backend: OcppBackend | None = None
        self._monitored: dict[Hashable, dict[str, Any]] = {}  # view's key -> component_variable to echo
        self._event_ids = itertools.count(1)

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend
        if backend.variables is not None:
            backend.variables.add_listener(self._on_variable_change)

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {
            "stop": self.stop,
            "restart": self.restart,
            "security_event": self.security_event,
            "get_variables": self.get_variables,
            "set_variables": self.set_variables,
            "change_availability": self.change_availability,
            "monitor_variables": self.monitor_variables,
        }

    # ---- commands --------------------------------------------------------------------------------
    async def stop(self) -> bool:
        if self.backend is None:
            log.warning("stop: OCPP is not running")
            return False
        return await self.backend.stop()

    async def restart(self) -> bool:
        if self.backend is None:
            log.warning("restart: OCPP is not running")
            return False
        return await self.backend.restart()

    def security_event(self, event: dict[str, Any]) -> None:
        if self.backend is None:
            log.warning("security_event %r dropped: OCPP is not running", str(event.get("type"))[:TYPE_MAX])
            return
        info = event.get("info")
        self.backend.security_event(
            SecurityEventRequest(
                type=str(event["type"])[:TYPE_MAX],
                info=None if info is None else str(info)[:INFO_MAX],
                critical=event.get("critical"),
                timestamp=_event_time(event.get("timestamp")),
            )
        )

    def get_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self._get_one(req) for req in requests]

    def _get_one(self, req: dict[str, Any]) -> dict[str, Any]:
        cv = req["component_variable"]
        attribute = req.get("attribute_type", "Actual")
        if self.backend is None:
            return {"status": "Rejected", "component_variable": cv, "attribute_type": attribute}
        return self.backend.view.get(self.backend.variables, cv, attribute)

    def set_variables(self, requests: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
        results = []
        for req in requests:
            cv = req["component_variable"]
            if self.backend is None:
                results.append({"status": "Rejected", "component_variable": cv})
                continue
            attribute = req.get("attribute_type", "Actual")
            results.append(self.backend.view.set(self.backend.variables, cv, req["value"], attribute, source))
        return results

    async def change_availability(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.backend is None:
            return {"status": "Rejected"}
        evse = request.get("evse")
        result = await self.backend.change_availability(
            request["operational_status"] == "Operative",
            None if evse is None else evse["id"],
            None if evse is None else evse.get("connector_id"),
        )
        out: dict[str, Any] = {"status": result.status}
        if result.reason_code is not None:
            info: dict[str, Any] = {"reason_code": result.reason_code}
            if result.additional_info:
                info["additional_info"] = result.additional_info
            out["status_info"] = info
        return out

    def monitor_variables(self, component_variables: list[dict[str, Any]]) -> None:
        if self.backend is None:
            log.warning("monitor_variables ignored: OCPP is not running")
            return
        for cv in component_variables:
            self._monitored[self.backend.view.monitor_key(cv)] = cv

    # ---- vars ------------------------------------------------------------------------------------
    def _on_variable_change(self, change: VariableChange) -> None:
        if not self._monitored or self.backend is None:
            return
        cv = self._monitored.get(self.backend.view.change_key(change))
        if cv is None:
            return
        trigger = self.backend.monitor_trigger(change)
        if trigger is None:
            return
        self._publish(
            "event_data",
            {
                "component_variable": self.backend.view.event_component(cv, change),
                "event_id": next(self._event_ids),
                "timestamp": rfc3339(),
                "trigger": trigger,
                "actual_value": "" if change.write_only else change.new_value,
                "event_notification_type": "CustomMonitor",
            },
        )

    # BackendEvents
    def connection_changed(self, connected: bool) -> None:
        self._publish("is_connected", connected)

    def boot_notification_response(self, response: dict[str, Any]) -> None:
        self._publish("boot_notification_response", response)

    def internal_security_event(self, type: str, info: str | None) -> None:
        event: dict[str, Any] = {"type": type[:TYPE_MAX]}
        event["info"] = (info or "")[:INFO_MAX]
        self._publish("security_event", event)

    def charging_schedules(self, schedules: list[dict[str, Any]]) -> None:
        self._publish("charging_schedules", {"schedules": schedules})

    def transaction_event(self, event: dict[str, Any]) -> None:
        self._publish("ocpp_transaction_event", event)

    def transaction_event_response(self, response: dict[str, Any]) -> None:
        self._publish("ocpp_transaction_event_response", response)
