"""The command line: options before or after the subcommand, checked log levels, version, help texts."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from everest_ocpp import __version__
from everest_ocpp.cli import _parser, main

LEVELS = "debug, info, warning, error, critical"


def _run_args(tmp_path: Path) -> list[str]:
    return ["--config", str(tmp_path / "missing.yaml"), "--module-id", "ocpp"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_log_level_before_or_after_the_subcommand(tmp_path: Path, where: str, capsys, caplog) -> None:
    args = ["run", "--log-level", "DEBUG", *_run_args(tmp_path)]
    if where == "before":
        args = ["--log-level", "DEBUG", "run", *_run_args(tmp_path)]
    assert main(args) == 2  # parsed; the missing file is the (named) problem
    assert "usage:" not in capsys.readouterr().err
    assert f"{tmp_path / 'missing.yaml'}: cannot read" in caplog.text


def test_the_level_after_the_subcommand_wins() -> None:
    args = _parser().parse_args(
        ["--log-level", "error", "run", "--log-level", "debug", "--config", "c", "--module-id", "m"]
    )
    assert args.log_level == "debug"
    args = _parser().parse_args(["--log-level", "error", "run", "--config", "c", "--module-id", "m"])
    assert args.log_level == "error"


def test_unknown_log_levels_are_refused(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--log-level", "loud", *_run_args(tmp_path)])
    assert exit_info.value.code == 2
    assert f"unknown log level 'loud' (use one of: {LEVELS})" in capsys.readouterr().err


def test_unknown_log_level_in_the_environment_is_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("EVEREST_OCPP_LOG_LEVEL", "verbose")
    with pytest.raises(SystemExit) as exit_info:
        main(["run", *_run_args(tmp_path)])
    assert exit_info.value.code == 2
    assert (
        f"EVEREST_OCPP_LOG_LEVEL: unknown log level 'verbose' (use one of: {LEVELS})"
        in capsys.readouterr().err
    )


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"everest-ocpp {__version__}"


def test_help_is_for_users(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert (
        " ".join(text.split()[:8])
        == "usage: everest-ocpp [-h] [--log-level LEVEL] [--version] {run,demo,schedule} ..."
    )
    assert "EVerest's OCPP module in pure Python" in text
    assert "EVEREST_OCPP_LOG_LEVEL" in text and "exit codes" in text
    assert "``" not in text and "spawned entry" not in text  # no developer docstrings


def test_every_option_has_a_help_text() -> None:
    parser = _parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in [("everest-ocpp", parser), *subparsers.choices.items()]:
        for action in sub._actions:
            if action.option_strings:
                assert action.help, f"{name} {action.option_strings} has no help text"
        assert sub.description, f"{name} has no description"
