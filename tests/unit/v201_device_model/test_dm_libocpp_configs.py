"""libocpp's own standardized component config files load unchanged (apart from the CSMS URL).

The files are read from the everest-core snapshot with ``git show``; they are not part of this project.
SKIPPED when the snapshot is absent - the only skip in this test package.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.variables import GetStatus
from harness.upstream import MIRROR, SKIP_REASON

FOLDER = "lib/everest/ocpp/config/common/component_config/standardized"
PROFILES = [
    {
        "configurationSlot": 1,
        "connectionData": {
            "messageTimeout": 30,
            "ocppCsmsUrl": "ws://127.0.0.1:9000/cp001",
            "ocppInterface": "Wired0",
            "ocppTransport": "JSON",
            "ocppVersion": "OCPP20",
            "securityProfile": 1,
        },
    }
]

pytestmark = pytest.mark.skipif(
    not MIRROR.exists(),
    reason=SKIP_REASON,
)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(MIRROR), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def libocpp_config(tmp_path: Path) -> Path:
    target = tmp_path / "component_config" / "standardized"
    target.mkdir(parents=True)
    for path in _git("ls-tree", "--name-only", "HEAD", f"{FOLDER}/").split():
        if path.endswith(".json"):
            (target / Path(path).name).write_text(_git("show", f"HEAD:{path}"), encoding="utf-8")
    internal = target / "InternalCtrlr.json"
    data = json.loads(internal.read_text())
    data["properties"]["NetworkConnectionProfiles"]["attributes"][0]["value"] = json.dumps(PROFILES)
    internal.write_text(json.dumps(data, indent=2))
    return target.parent


def test_libocpp_standardized_set_loads(libocpp_config: Path, tmp_path: Path) -> None:
    files = sorted(p.name for p in (libocpp_config / "standardized").iterdir())
    assert "OCPPCommCtrlr.json" in files and len(files) >= 19
    with DeviceModel.open(libocpp_config, tmp_path / "dm.db", evses=[(1, [1]), (2, [1])]) as dm:
        assert dm.variable_count() > 250
        assert json.loads(dm.get_str(wk.NETWORK_CONNECTION_PROFILES)) == PROFILES
        assert dm.get_int(wk.HEARTBEAT_INTERVAL) > 0
        assert dm.get(wk.BASIC_AUTH_PASSWORD).status is GetStatus.REJECTED
        assert dm.get_str(wk.SECURITY_PROFILE) in {"0", "1", "2", "3"}
    with DeviceModel.open(libocpp_config, tmp_path / "dm.db", evses=[(1, [1]), (2, [1])]) as dm:
        assert dm.variable_count() > 250
