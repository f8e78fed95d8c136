"""Where and how the 2.0.1 station connects: network connection profiles, slot order, credentials.

The CSMS address lives in ``InternalCtrlr.NetworkConnectionProfiles`` (a JSON list in libocpp's
SetNetworkProfile shape); ``OCPPCommCtrlr.NetworkConfigurationPriority`` orders the slots. The
station tries a slot ``NetworkProfileConnectionAttempts`` times before moving on to the next one.

No setting a CSMS can write locks the station out: the profile of the last successful connection is
kept in the state folder and, when it is no longer among the configured ones (the CSMS overwrote its
slot or dropped it from the priority list), it stays in the rotation as a last resort after every
configured slot had its attempts.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..csms.backoff import BackoffPolicy
from ..csms.connection import ConnectionSettings
from ..csms.tls import TlsOptions
from ..csms.urls import CsmsUrlError, csms_url
from ..storage import atomic_write_json, read_json
from ..variables import VariableRef
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


def priority_check(dm: DeviceModel, profile_problem: Callable[[int], str | None] | None = None) -> Any:
    """Extra device model check for NetworkConfigurationPriority: every slot must have a profile, and
    a slot above the current security profile the certificates it needs (``profile_problem``)."""

    def check(value: str) -> str | None:
        try:
            slots = parse_priority(value)
            profiles = parse_profiles(dm.get_str(wk.NETWORK_CONNECTION_PROFILES))
        except NetworkConfigError as exc:
            return str(exc)
        missing = [s for s in slots if s not in profiles]
        if missing:
            return f"slot(s) {missing} have no network connection profile"
        current = dm.get_int(wk.SECURITY_PROFILE, default=0)
        for slot in slots:
            wanted = profiles[slot].security_profile
            problem = profile_problem(wanted) if profile_problem and wanted > current else None
            if problem is not None:
                return f"slot {slot}: {problem}"
        return None

    return check


USE_DEFAULT_VERIFY_PATHS = VariableRef("InternalCtrlr", "UseSslDefaultVerifyPaths")
VERIFY_CSMS_COMMON_NAME = VariableRef("InternalCtrlr", "VerifyCsmsCommonName")
VERIFY_CSMS_ALLOW_WILDCARDS = VariableRef("InternalCtrlr", "VerifyCsmsAllowWildcards")
SUPPORTED_CIPHERS_12 = VariableRef("InternalCtrlr", "SupportedCiphers12")


def tls_options(dm: DeviceModel) -> TlsOptions:
    """The InternalCtrlr TLS switches (libocpp's names and defaults)."""
    return TlsOptions(
        default_verify_paths=dm.get_bool(USE_DEFAULT_VERIFY_PATHS, default=True),
        verify_hostname=dm.get_bool(VERIFY_CSMS_COMMON_NAME, default=True),
        allow_wildcards=dm.get_bool(VERIFY_CSMS_ALLOW_WILDCARDS, default=False),
        ciphers12=dm.value(SUPPORTED_CIPHERS_12) or "",
    )


def _load_last_working(path: Path | None) -> NetworkProfile | None:
    if path is None:
        return None
    try:
        data = read_json(path, None)
        return None if data is None else NetworkProfile(**data)
    except (OSError, ValueError, TypeError) as exc:
        log.error("cannot read the last working network profile from %s: %s", path, exc)
        return None


class NetworkSelector:
    """Gives the connection settings for each attempt, moving to the next slot after
    NetworkProfileConnectionAttempts failures; the variables are read again on every attempt."""

    def __init__(self, dm: DeviceModel, plan: NetworkPlan, state_file: Path | None = None) -> None:
        self._dm = dm
        self._plan = plan
        self._index = 0
        self._attempts = 0
        self.current = plan.profiles[0]
        self._state_file = state_file
        self.last_working = _load_last_working(state_file)

    def candidates(self) -> list[NetworkProfile]:
        """The configured profiles in priority order, then the last working one if it is not among them."""
        profiles = list(self._plan.profiles)
        last = self.last_working
        known = {(p.url, p.security_profile) for p in profiles}
        if last is not None and (last.url, last.security_profile) not in known:
            profiles.append(last)
        return profiles

    def settings(self) -> ConnectionSettings:
        try:
            self._plan = network_plan(self._dm)
        except NetworkConfigError as exc:  # writes are checked, so only a hand-edited database gets here
            log.error("%s; keeping the previous network settings", exc)
        profiles = self.candidates()
        limit = max(self._dm.get_int(wk.NETWORK_PROFILE_CONNECTION_ATTEMPTS, default=3), 1)
        if self._attempts >= limit and len(profiles) > 1:
            self._index += 1
            self._attempts = 0
            log.info("slot %d failed %d times; trying the next network profile", self.current.slot, limit)
        self._index %= len(profiles)
        self._attempts += 1
        self.current = profile = profiles[self._index]
        if profile is self.last_working and profile not in self._plan.profiles:
            log.warning(
                "every configured network profile failed: trying the last one that worked (slot %d, %s)",
                profile.slot,
                profile.url,
            )
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
            security_profile=profile.security_profile,
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
        """The attempt succeeded: stay on this slot, and remember it as the last working profile."""
        self._attempts = 0
        profile = self.current
        if profile != self.last_working:
            self.last_working = profile
            if self._state_file is not None:
                try:
                    atomic_write_json(self._state_file, dataclasses.asdict(profile))
                except OSError as exc:
                    log.error("cannot store the last working network profile: %s", exc)
        return profile
