"""A standalone start checks the config entry as the EVerest manager would, naming every problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from everest_ocpp.cli import main
from everest_ocpp.everest.definitions import Definitions, definitions_root
from everest_ocpp.everest.setup import SetupError, load_runtime_config
from everest_ocpp.everest.setup_checks import check_standalone_setup, module_names

EVSE = [{"module_id": "evse", "implementation_id": "evse_manager"}]


def _config(tmp_path: Path, entry: dict, peers: dict[str, str] | None = None) -> Path:
    modules = {"ocpp": {"module": "EverestOcpp", "connections": {"evse_manager": EVSE}, **entry}}
    for peer, name in ({"evse": "EvseManager"} if peers is None else peers).items():
        modules[peer] = {"module": name}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"active_modules": modules}))
    return path


def _problem(tmp_path: Path, entry: dict, defs: Definitions | None = None, **kw: object) -> str | None:
    _rt, setup = load_runtime_config(_config(tmp_path, entry, **kw), "ocpp")  # type: ignore[arg-type]
    try:
        check_standalone_setup(setup, defs or Definitions())
    except SetupError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    "entry",
    [
        {},
        {"module": "everest-ocpp"},
        {"module": "OCPP"},
        {"module": "OCPP201", "config_module": {"OcppVersion": "2.0.1"}},
        {"module": "OCPP201"},
        {
            "connections": {
                "evse_manager": EVSE * 2,
                "system": [{"module_id": "sys", "implementation_id": "x"}],
            }
        },
    ],
)
def test_good_entries_pass(tmp_path: Path, entry: dict) -> None:
    assert _problem(tmp_path, entry, peers={"evse": "EvseManager", "sys": "System"}) is None


def test_a_wrong_module_name_is_refused(tmp_path: Path) -> None:
    problem = _problem(tmp_path, {"module": "EvseManager"})
    names = ", ".join(module_names(Definitions()))
    assert problem == (
        f"{tmp_path / 'config.yaml'}: active_modules.ocpp: module is 'EvseManager', not this module "
        f"(use one of: {names})"
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            {"module": "OCPP201", "config_module": {"OcppVersion": "1.6"}},
            'module OCPP201 speaks OCPP 2.0.1, but config_module.OcppVersion is "1.6"',
        ),
        (
            {"module": "OCPP", "config_module": {"OcppVersion": "2.0.1"}},
            'module OCPP speaks OCPP 1.6, but config_module.OcppVersion is "2.0.1": set OcppVersion: "1.6"',
        ),
        ({"connections": {}}, "requirement 'evse_manager' needs 1 to 128 connection(s), the config has 0"),
        (
            {"connections": {"evse_manager": EVSE, "evse_managers": EVSE}},
            "connections for 'evse_managers', which the manifest does not require (requirements: evse_",
        ),
        (
            {
                "connections": {
                    "evse_manager": EVSE,
                    "system": [{"module_id": "sys", "implementation_id": "a"}] * 2,
                }
            },
            "requirement 'system' needs 0 to 1 connection(s), the config has 2",
        ),
        (
            {"connections": {"evse_manager": [{"module_id": "nobody", "implementation_id": "evse_manager"}]}},
            "requirement 'evse_manager' connects to module id 'nobody', which is not in active_modules",
        ),
        (
            {
                "connections": {
                    "evse_manager": EVSE,
                    "security": [{"module_id": "ocpp", "implementation_id": "nope"}],
                }
            },
            "requirement 'security' connects to implementation 'nope' of module 'ocpp' (EverestOcpp), which "
            "provides only: ",
        ),
        (
            {
                "connections": {
                    "evse_manager": EVSE,
                    "security": [{"module_id": "ocpp", "implementation_id": "ocpp_generic"}],
                }
            },
            "requirement 'security' needs interface 'evse_security', but implementation 'ocpp_generic' of "
            "module 'ocpp' (EverestOcpp) provides 'ocpp'",
        ),
    ],
)
def test_problems_are_named(tmp_path: Path, entry: dict, problem: str) -> None:
    got = _problem(tmp_path, entry)
    assert got is not None and problem in got, got


def test_manifests_of_sibling_module_directories_are_checked(tmp_path: Path) -> None:
    """Installed in an EVerest modules folder, the targets' manifests sit beside this module's."""
    modules = tmp_path / "modules"
    ours = modules / "MyOcpp"
    ours.mkdir(parents=True)
    shutil.copy(definitions_root() / "manifest.yaml", ours / "manifest.yaml")
    (ours / "module.py").write_text("")
    (modules / "EvseManager").mkdir()
    (modules / "EvseManager" / "manifest.yaml").write_text(
        yaml.safe_dump(
            {"provides": {"evse": {"interface": "evse_manager"}, "energy": {"interface": "energy"}}}
        )
    )
    defs = Definitions(ours)
    assert "MyOcpp" in module_names(defs)
    assert _problem(tmp_path, {"module": "MyOcpp"}, defs) == (
        f"{tmp_path / 'config.yaml'}: active_modules.ocpp: requirement 'evse_manager' connects to "
        "implementation 'evse_manager' of module 'evse' (EvseManager), which provides only: energy, evse"
    )
    good = {"connections": {"evse_manager": [{"module_id": "evse", "implementation_id": "evse"}]}}
    assert _problem(tmp_path, good, defs) is None
    wrong = {"connections": {"evse_manager": [{"module_id": "evse", "implementation_id": "energy"}]}}
    assert "needs interface 'evse_manager', but implementation 'energy'" in str(
        _problem(tmp_path, wrong, defs)
    )


def test_standalone_start_refuses_with_exit_2(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _config(tmp_path, {"module": "OCPP201", "config_module": {"OcppVersion": "1.6"}})
    assert main(["run", "--config", str(path), "--module-id", "ocpp"]) == 2
    assert 'module OCPP201 speaks OCPP 2.0.1, but config_module.OcppVersion is "1.6"' in caplog.text
