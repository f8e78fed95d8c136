"""Fixtures for the OCPP 1.6 configuration store tests: small configs written to tmp_path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import everest_ocpp
from everest_ocpp.v16.configuration import ChargePointConfiguration

DATA_DIR = Path(everest_ocpp.__file__).parent / "data" / "v16"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

# The smallest config that loads: required sections and keys only.
MINIMAL: dict[str, Any] = {
    "Internal": {
        "ChargePointId": "cp001",
        "CentralSystemURI": "127.0.0.1:9000/cp001",
        "ChargeBoxSerialNumber": "cb001",
        "ChargePointModel": "Model",
        "ChargePointVendor": "Vendor",
        "FirmwareVersion": "1.0",
    },
    "Core": {
        "AuthorizeRemoteTxRequests": False,
        "ClockAlignedDataInterval": 900,
        "ConnectionTimeOut": 10,
        "ConnectorPhaseRotation": "0.RST,1.RST",
        "GetConfigurationMaxKeys": 100,
        "HeartbeatInterval": 86400,
        "LocalAuthorizeOffline": False,
        "LocalPreAuthorize": False,
        "MeterValuesAlignedData": "Energy.Active.Import.Register",
        "MeterValuesSampledData": "Energy.Active.Import.Register",
        "MeterValueSampleInterval": 0,
        "NumberOfConnectors": 1,
        "ResetRetries": 1,
        "StopTransactionOnInvalidId": True,
        "StopTxnAlignedData": "Energy.Active.Import.Register",
        "StopTxnSampledData": "Energy.Active.Import.Register",
        "SupportedFeatureProfiles": "Core",
        "TransactionMessageAttempts": 1,
        "TransactionMessageRetryInterval": 10,
        "UnlockConnectorOnEVSideDisconnect": True,
    },
    "Security": {"SecurityProfile": 0},
}


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Section-wise update; a value of None removes the key (or section)."""
    result = copy.deepcopy(base)
    for section, keys in patch.items():
        if keys is None:
            result.pop(section, None)
            continue
        target = result.setdefault(section, {})
        for key, value in keys.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
    return result


class Files:
    """Writes a config + user config into a tmp dir and loads them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_path = root / "config.json"
        self.user_path = root / "user_config.json"

    def write(self, patch: dict[str, Any] | None = None, *, base: dict[str, Any] = MINIMAL) -> Path:
        self.config_path.write_text(json.dumps(merge(base, patch or {})))
        return self.config_path

    def write_user(self, data: Any) -> Path:
        self.user_path.write_text(data if isinstance(data, str) else json.dumps(data))
        return self.user_path

    def user(self) -> dict[str, Any]:
        return json.loads(self.user_path.read_text())

    def load(self, **kwargs: Any) -> ChargePointConfiguration:
        kwargs.setdefault("clock", lambda: NOW)
        return ChargePointConfiguration.load(self.config_path, self.user_path, **kwargs)


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


@pytest.fixture
def make_store(files: Files) -> Callable[..., ChargePointConfiguration]:
    """``make_store({"Core": {...}})`` -> a store over MINIMAL with that patch."""

    def make(patch: dict[str, Any] | None = None, **kwargs: Any) -> ChargePointConfiguration:
        files.write(patch)
        return files.load(**kwargs)

    return make


@pytest.fixture
def full_store(files: Files) -> ChargePointConfiguration:
    """The shipped config-full.json (every profile and key)."""
    files.config_path.write_text((DATA_DIR / "config-full.json").read_text())
    return files.load()
