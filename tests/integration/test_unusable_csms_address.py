"""A 1.6 CSMS address the module can never use is reported, never a silent offline module."""

from __future__ import annotations

import pytest

from harness.module_process import ModuleProcess
from harness.stack import Stack


def _standalone_exit(stack: Stack) -> tuple[int, str]:
    stack.write_files()
    process = ModuleProcess(stack.config_path, "ocpp", stack.workdir / "module.log")
    process.start()
    assert process.proc is not None
    code = process.proc.wait(15)
    return code, process.log_tail()


@pytest.mark.parametrize(
    ("patch", "problem"),
    [
        (
            {"Internal": {"CentralSystemURI": "http://127.0.0.1:9/ocpp"}},
            "ocpp-config.json: Internal.CentralSystemURI: 'http://127.0.0.1:9/ocpp' is not a ws:// or wss:// "
            "address; the module could never connect to the CSMS",
        ),
        (
            {
                "Internal": {"CentralSystemURI": "ws://127.0.0.1:9/ocpp"},
                "Security": {"SecurityProfile": 2, "AuthorizationKey": "0123456789abcdef"},
            },
            "ocpp-config.json: Internal.CentralSystemURI and {config}: Security.SecurityProfile: "
            "scheme ws:// does not fit security profile 2 (needs wss://)",
        ),
    ],
)
def test_standalone_start_exits_2_naming_file_and_key(make_stack, patch: dict, problem: str) -> None:
    stack: Stack = make_stack(ocpp_config=patch)
    code, log = _standalone_exit(stack)
    assert code == 2, log
    assert problem.format(config=stack.workdir / "ocpp-config.json") in log


def test_the_user_config_is_named_when_the_value_comes_from_there(make_stack) -> None:
    stack: Stack = make_stack()
    stack.workdir.joinpath("user_config.json").write_text('{"Internal": {"CentralSystemURI": "http://x/y"}}')
    code, log = _standalone_exit(stack)
    assert code == 2
    assert f"{stack.workdir / 'user_config.json'}: Internal.CentralSystemURI: 'http://x/y'" in log


def test_spawned_module_logs_the_error_and_stays_up(make_stack) -> None:
    bad = {"Internal": {"CentralSystemURI": "http://127.0.0.1:9/x"}}
    stack: Stack = make_stack(spawned=True, ocpp_config=bad)
    stack.start(wait_boot=False)
    stack.probe.wait_until(
        lambda: (
            "Internal.CentralSystemURI: 'http://127.0.0.1:9/x' is not a ws:// or wss:// address"
            in (stack.workdir / "module.log").read_text()
        ),
        15,
        "the error in the log",
    )
    assert " ERROR " in (stack.workdir / "module.log").read_text()
    assert stack.probe.call("restart", None) is False
    assert stack.module is not None and stack.module.alive
