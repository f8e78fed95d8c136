"""2.0.1 SetNetworkProfile (B09/B10): store a network connection profile in a configuration slot.

Rejected when its securityProfile is below the current one (no downgrade, as libocpp) or when it
cannot give a usable connection (SOAP, a URL whose scheme does not fit its security profile, ...).
Accepted profiles replace the slot in ``InternalCtrlr.NetworkConnectionProfiles`` (or add it) and
raise ReconfigurationOfSecurityParameters. They are used once NetworkConfigurationPriority names
the slot, at the next connection; the last working profile remains the fallback (network.py).
VPN and APN secrets (password, key, SIM PIN) are not stored: this module does not configure
networks, and a stored value could be read back with GetVariables.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ocpp.charge_point import snake_to_camel_case
from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..csms.urls import CsmsUrlError, csms_url
from ..variables import SetStatus, Source
from .device_model import DeviceModel
from .device_model import well_known as wk
from .network import NetworkConfigError, parse_profiles

log = logging.getLogger(__name__)

SECRETS = {"vpn": ("password", "key"), "apn": ("apnPassword", "simPin")}
RaiseEvent = Callable[[str, str | None, bool | None], None]  # (type, info, critical)


class NetworkProfiles201:
    def __init__(self, dm: DeviceModel, identity: Callable[[], str], raise_event: RaiseEvent) -> None:
        self._dm = dm
        self._identity = identity
        self._raise = raise_event

    @on(Action.set_network_profile)
    def on_set_network_profile(
        self, configuration_slot: int, connection_data: dict[str, Any], **_: Any
    ) -> call_result.SetNetworkProfile:
        data = _without_secrets(snake_to_camel_case(connection_data))
        problem = self._problem(configuration_slot, data)
        if problem is not None:
            log.warning("SetNetworkProfile for slot %d rejected: %s", configuration_slot, problem)
            return call_result.SetNetworkProfile(status="Rejected", status_info=_info(problem))
        profiles = json.loads(self._dm.get_str(wk.NETWORK_CONNECTION_PROFILES, default="[]"))
        entry = {"configurationSlot": configuration_slot, "connectionData": data}
        kept = [
            p
            for p in profiles
            if not (isinstance(p, dict) and p.get("configurationSlot") == configuration_slot)
        ]
        result = self._dm.set(
            wk.NETWORK_CONNECTION_PROFILES,
            json.dumps([*kept, entry], separators=(",", ":")),
            source=Source.INTERNAL,
            allow_read_only=True,
        )
        if result.status is not SetStatus.ACCEPTED:
            problem = "the network connection profiles could not be stored"
            log.error(
                "SetNetworkProfile for slot %d: %s (%s)", configuration_slot, problem, result.status.value
            )
            return call_result.SetNetworkProfile(status="Failed", status_info=_info(problem))
        info = (
            f"Received and stored a new network connection profile at configurationSlot: {configuration_slot}"
        )
        log.info("%s (%s)", info, data.get("ocppCsmsUrl"))
        self._raise("ReconfigurationOfSecurityParameters", info, None)
        return call_result.SetNetworkProfile(status="Accepted")

    def _problem(self, slot: int, data: dict[str, Any]) -> str | None:
        current = self._dm.get_int(wk.SECURITY_PROFILE, default=0)
        wanted = data.get("securityProfile")
        if isinstance(wanted, int) and wanted < current:
            return f"securityProfile {wanted} is below the current security profile {current}"
        try:
            profile = parse_profiles(json.dumps([{"configurationSlot": slot, "connectionData": data}]))[slot]
            csms_url(profile.url, self._identity(), profile.security_profile)
        except (NetworkConfigError, CsmsUrlError) as exc:
            return str(exc)
        return None


def _without_secrets(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    for section, fields in SECRETS.items():
        part = cleaned.get(section)
        if isinstance(part, dict):
            cleaned[section] = {k: v for k, v in part.items() if k not in fields}
    return cleaned


def _info(text: str) -> dict[str, str]:
    return {"reason_code": "InvalidValue", "additional_info": text[:512]}
