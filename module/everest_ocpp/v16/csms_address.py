"""The 1.6 CSMS URL from Internal.CentralSystemURI, Internal.ChargePointId and Security.SecurityProfile.

Errors name the keys (and, at start-up, the file each came from), so a configuration that can never
connect is reported where it can be fixed instead of leaving the module silently offline.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..csms.urls import CsmsUrlError, csms_url
from .configuration import ChargePointConfiguration

_KEYS = {
    "address": (("Internal", "CentralSystemURI"),),
    "identity": (("Internal", "ChargePointId"),),
    "security_profile": (("Internal", "CentralSystemURI"), ("Security", "SecurityProfile")),
}


def csms_url_16(config: ChargePointConfiguration) -> str:
    """The websocket URL; raises CsmsUrlError whose message starts with the key(s) at fault."""
    try:
        return csms_url(config.central_system_uri, config.charge_point_id, config.security_profile)
    except CsmsUrlError as exc:
        keys = " with ".join(f"{section}.{key}" for section, key in _KEYS[exc.part])
        raise CsmsUrlError(f"{keys}: {exc}", exc.part) from None


def check_csms_address(
    config: ChargePointConfiguration, config_path: Path, user_config_path: Path
) -> str | None:
    """None when a URL can be built, else a message naming the file(s) and key(s) to fix."""
    try:
        csms_url(config.central_system_uri, config.charge_point_id, config.security_profile)
    except CsmsUrlError as exc:
        overlay = _read_overlay(user_config_path)
        where = []
        for section, key in _KEYS[exc.part]:
            patch = overlay.get(section)
            origin = user_config_path if isinstance(patch, dict) and key in patch else config_path
            where.append(f"{origin}: {section}.{key}")
        return f"{' and '.join(where)}: {exc}; the module could never connect to the CSMS"
    return None


def _read_overlay(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
