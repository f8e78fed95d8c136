"""Command line: ``everest-ocpp run`` (standalone), ``everest-ocpp demo``, and the spawned entry."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from .app import EXIT_CONFIG_ERROR, Application
from .backends import BackendConfigError
from .everest.definitions import DefinitionError
from .everest.setup import SetupError, load_runtime_config, settings_from_environment

log = logging.getLogger("everest_ocpp")


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("websockets").setLevel(logging.WARNING)


async def _serve(app: Application) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, app.request_stop)
    return await app.run()


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings, setup = load_runtime_config(
            Path(args.config),
            args.module_id,
            mqtt_host=args.mqtt_host,
            mqtt_port=args.mqtt_port,
            prefix=args.prefix,
        )
        app = Application(settings, setup, args.module_id, spawned=False)
        return asyncio.run(_serve(app))
    except (SetupError, DefinitionError, BackendConfigError, ConnectionError) as exc:
        log.error("%s", exc)
        return EXIT_CONFIG_ERROR


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(duration=args.duration)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="everest-ocpp", description=__doc__)
    parser.add_argument("--log-level", default=os.environ.get("EVEREST_OCPP_LOG_LEVEL", "info"))
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the module standalone from an EVerest runtime config")
    run.add_argument("--config", required=True, help="EVerest runtime config (settings, active_modules)")
    run.add_argument("--module-id", required=True, help="this module's id under active_modules")
    run.add_argument("--mqtt-host")
    run.add_argument("--mqtt-port", type=int)
    run.add_argument("--prefix", help="everest MQTT prefix (default from the config, else everest/)")
    run.set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="broker + local CSMS + module on this machine, until Ctrl-C")
    demo.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    demo.set_defaults(func=cmd_demo)
    args = parser.parse_args(argv)
    _setup_logging(args.log_level)
    return int(args.func(args))


def main_spawned(module_dir: Path) -> int:
    """Entry when the EVerest manager executes module.py (identity and broker from EV_* variables).

    A spawned module never exits on its own: the manager would tear the whole stack down.
    """
    _setup_logging(os.environ.get("EVEREST_OCPP_LOG_LEVEL", "info"))
    try:
        module_id, settings = settings_from_environment(os.environ)
    except SetupError as exc:
        log.error("%s", exc)
        return EXIT_CONFIG_ERROR
    app = Application(settings, None, module_id, spawned=True, base_dir=module_dir)
    return asyncio.run(_serve(app))


if __name__ == "__main__":
    sys.exit(main())
