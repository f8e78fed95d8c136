"""Where and how the 2.0.1 station connects: network connection profiles, slot order, credentials.

The CSMS address lives in ``InternalCtrlr.NetworkConnectionProfiles`` (a JSON list in libocpp's
SetNetworkProfile shape); ``OCPPCommCtrlr.NetworkConfigurationPriority`` orders the slots. The
station tries a slot ``NetworkProfileConnectionAttempts`` times before moving on to the next one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from ..csms.backoff import BackoffPolicy
from ..csms.connection import ConnectionSettings
from ..csms.urls import CsmsUrlError, csms_url
from .device_model import DeviceModel
from .device_model import well_known as wk

log = logging.getLogger(__name__)

SUBPROTOCOL = "ocpp2.0.1"
DEFAULT_MESSAGE_TIMEOUT_S = 30


class NetworkConfigError(ValueError):
    """The network configuration cannot be used (the message says which variable and why)."""


@dataclass(frozen=True, slots=True)
class NetworkProfile:
    slot: int
    url: str  # ocppCsmsUrl as configured
    security_profile: int
    message_timeout_s: int = DEFAULT_MESSAGE_TIMEOUT_S


def parse_profiles(text: str) -> dict[int, NetworkProfile]:
    """NetworkConnectionProfiles -> profiles by configuration slot; raises NetworkConfigError."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NetworkConfigError(f"not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise NetworkConfigError("must be a JSON list of {configurationSlot, connectionData} objects")
    profiles: dict[int, NetworkProfile] = {}
    for index, item in enumerate(data):
        profile = _parse_profile(item, index)
        if profile.slot in profiles:
            raise NetworkConfigError(f"configurationSlot {profile.slot} appears twice")
        profiles[profile.slot] = profile
    return profiles


def _parse_profile(item: Any, index: int) -> NetworkProfile:
    where = f"profile #{index + 1}"
    if not isinstance(item, dict) or not isinstance(item.get("connectionData"), dict):
        raise NetworkConfigError(f"{where}: needs configurationSlot and a connectionData object")
    slot, data = item.get("configurationSlot"), item["connectionData"]
    if not isinstance(slot, int) or isinstance(slot, bool) or slot < 1:
        raise NetworkConfigError(f"{where}: configurationSlot must be an integer >= 1")
    url, profile = data.get("ocppCsmsUrl"), data.get("securityProfile")
    if not isinstance(url, str) or not url:
        raise NetworkConfigError(f"slot {slot}: ocppCsmsUrl is missing")
    if not isinstance(profile, int) or isinstance(profile, bool) or not 0 <= profile <= 3:
        raise NetworkConfigError(f"slot {slot}: securityProfile must be 0..3")
    transport = data.get("ocppTransport", "JSON")
    if transport != "JSON":
        raise NetworkConfigError(f"slot {slot}: ocppTransport {transport!r} is not supported (only JSON)")
    timeout = data.get("messageTimeout", DEFAULT_MESSAGE_TIMEOUT_S)
    if not isinstance(timeout, int) or isinstance(timeout, bool):
        raise NetworkConfigError(f"slot {slot}: messageTimeout must be an integer")
    return NetworkProfile(slot, url, profile, max(timeout, 1))


def parse_priority(text: str) -> list[int]:
    try:
        slots = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise NetworkConfigError(f"'{text}' is not a comma-separated list of slot numbers") from None
    if not slots:
        raise NetworkConfigError("lists no configuration slot")
    return slots


def identity_of(dm: DeviceModel) -> str:
    """SecurityCtrlr.Identity, else InternalCtrlr.ChargePointId (the last URL segment, basic auth user)."""
    return dm.value(wk.IDENTITY) or dm.get_str(wk.CHARGE_POINT_ID)


@dataclass(frozen=True, slots=True)
class NetworkPlan:
    """The usable profiles in priority order (validated)."""

    profiles: tuple[NetworkProfile, ...]
    identity: str


def network_plan(dm: DeviceModel) -> NetworkPlan:
    """Read and check the network variables; raises NetworkConfigError naming the variable."""
    try:
        profiles = parse_profiles(dm.get_str(wk.NETWORK_CONNECTION_PROFILES))
    except NetworkConfigError as exc:
        raise NetworkConfigError(f"InternalCtrlr.NetworkConnectionProfiles: {exc}") from None
    try:
        priority = parse_priority(dm.get_str(wk.NETWORK_CONFIGURATION_PRIORITY))
    except NetworkConfigError as exc:
        raise NetworkConfigError(f"OCPPCommCtrlr.NetworkConfigurationPriority: {exc}") from None
    missing = [s for s in priority if s not in profiles]
    if missing:
        raise NetworkConfigError(
            f"OCPPCommCtrlr.NetworkConfigurationPriority: slot(s) {missing} not in NetworkConnectionProfiles"
        )
    identity = identity_of(dm)
    if not identity or ":" in identity:
        raise NetworkConfigError(f"SecurityCtrlr.Identity: '{identity}' is empty or contains ':'")
    allow_zero = dm.get_bool(wk.ALLOW_SECURITY_LEVEL_ZERO_CONNECTIONS, default=False)
    usable = []
    for slot in priority:
        profile = profiles[slot]
        if profile.security_profile == 0 and not allow_zero:
            log.warning(
                "slot %d uses security profile 0, which AllowSecurityLevelZeroConnections forbids", slot
            )
            continue
        try:
            csms_url(profile.url, identity, profile.security_profile)
        except CsmsUrlError as exc:
            raise NetworkConfigError(f"InternalCtrlr.NetworkConnectionProfiles: slot {slot}: {exc}") from None
        usable.append(profile)
    if not usable:
        raise NetworkConfigError(
            "InternalCtrlr.NetworkConnectionProfiles: no usable profile (security profile 0 needs "
            "InternalCtrlr.AllowSecurityLevelZeroConnections true)"
        )
    return NetworkPlan(tuple(usable), identity)


def check_profiles_value(value: str) -> str | None:
    """Extra device model check for writes of NetworkConnectionProfiles."""
    try:
        parse_profiles(value)
    except NetworkConfigError as exc:
        return str(exc)
    return None


def priority_check(dm: DeviceModel) -> Any:
    """Extra device model check for NetworkConfigurationPriority: every slot must have a profile."""

    def check(value: str) -> str | None:
        try:
            slots = parse_priority(value)
            profiles = parse_profiles(dm.get_str(wk.NETWORK_CONNECTION_PROFILES))
        except NetworkConfigError as exc:
            return str(exc)
        missing = [s for s in slots if s not in profiles]
        return f"slot(s) {missing} have no network connection profile" if missing else None

    return check


class NetworkSelector:
    """Gives the connection settings for each attempt, moving to the next slot after
    NetworkProfileConnectionAttempts failures; the variables are read again on every attempt."""

    def __init__(self, dm: DeviceModel, plan: NetworkPlan) -> None:
        self._dm = dm
        self._plan = plan
        self._index = 0
        self._attempts = 0
        self.current = plan.profiles[0]

    def settings(self) -> ConnectionSettings:
        try:
            self._plan = network_plan(self._dm)
        except NetworkConfigError as exc:  # writes are checked, so only a hand-edited database gets here
            log.error("%s; keeping the previous network settings", exc)
        profiles = self._plan.profiles
        limit = max(self._dm.get_int(wk.NETWORK_PROFILE_CONNECTION_ATTEMPTS, default=3), 1)
        if self._attempts >= limit and len(profiles) > 1:
            self._index += 1
            self._attempts = 0
            log.info("slot %d failed %d times; trying the next network profile", self.current.slot, limit)
        self._index %= len(profiles)
        self._attempts += 1
        self.current = profile = profiles[self._index]
        dm = self._dm
        password = None
        if profile.security_profile in (1, 2):
            password = dm.value(wk.BASIC_AUTH_PASSWORD)
            if not password:
                log.warning(
                    "security profile %d without SecurityCtrlr.BasicAuthPassword", profile.security_profile
                )
        ping = dm.get_int(wk.WEBSOCKET_PING_INTERVAL, default=0)
        return ConnectionSettings(
            url=csms_url(profile.url, self._plan.identity, profile.security_profile),
            subprotocol=SUBPROTOCOL,
            identity=self._plan.identity,
            password=password,
            ping_interval_s=float(ping) if ping > 0 else None,
            backoff=BackoffPolicy(
                dm.get_int(wk.RETRY_BACK_OFF_WAIT_MINIMUM, default=3),
                dm.get_int(wk.RETRY_BACK_OFF_RANDOM_RANGE, default=10),
                dm.get_int(wk.RETRY_BACK_OFF_REPEAT_TIMES, default=3),
            ),
        )

    @property
    def identity(self) -> str:
        return self._plan.identity

    def connected(self) -> NetworkProfile:
        """The attempt succeeded: stay on this slot."""
        self._attempts = 0
        return self.current
