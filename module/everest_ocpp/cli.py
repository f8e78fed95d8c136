"""Command line: ``everest-ocpp run | demo | schedule`` and the entry the EVerest manager spawns."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from pathlib import Path

from . import __version__
from .app import EXIT_CONFIG_ERROR, Application
from .backends import BackendConfigError
from .everest.definitions import DefinitionError, Definitions
from .everest.setup import SetupError, load_runtime_config, settings_from_environment
from .everest.setup_checks import check_standalone_setup

log = logging.getLogger("everest_ocpp")

LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_LEVEL_ENV = "EVEREST_OCPP_LOG_LEVEL"

DESCRIPTION = """\
everest-ocpp: EVerest's OCPP module in pure Python. It provides the `ocpp` interface to the other
EVerest modules over MQTT and speaks OCPP-J 1.6 or 2.0.1 to a CSMS."""

EPILOG = f"""\
environment:
  {LOG_LEVEL_ENV}  log level when --log-level is not given: {", ".join(LEVELS)}
                          (default info); also read when the EVerest manager starts the module

exit codes (run): 0 after SIGTERM/SIGINT; 2 for a configuration that cannot work (the message
names the file, key and problem).

The EVerest manager starts the module as `python3 module.py` instead (see the README)."""


def _level(text: str) -> str:
    level = text.strip().lower()
    if level not in LEVELS:
        raise argparse.ArgumentTypeError(f"unknown log level '{text}' (use one of: {', '.join(LEVELS)})")
    return level


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper()),
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
        check_standalone_setup(setup, Definitions())
        app = Application(settings, setup, args.module_id, spawned=False)
        return asyncio.run(_serve(app))
    except (SetupError, DefinitionError, BackendConfigError, ConnectionError) as exc:
        log.error("%s", exc)
        return EXIT_CONFIG_ERROR


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(duration=args.duration, ocpp_version=args.ocpp, embedded_broker=args.embedded_broker)


def cmd_schedule(args: argparse.Namespace) -> int:
    from .demo.schedule_watch import watch_schedules

    try:
        if args.config:
            settings, _setup = load_runtime_config(
                Path(args.config),
                args.module_id,
                mqtt_host=args.mqtt_host,
                mqtt_port=args.mqtt_port,
                prefix=args.prefix,
            )
            broker, prefix = settings.broker, settings.prefix
        else:
            from .everest.mqtt import BrokerAddress
            from .everest.protocol import normalize_prefix

            broker = BrokerAddress(args.mqtt_host or "localhost", args.mqtt_port or 1883)
            prefix = normalize_prefix(args.prefix or "everest/")
    except SetupError as exc:
        log.error("%s", exc)
        return EXIT_CONFIG_ERROR
    return watch_schedules(
        broker,
        prefix,
        args.module_id,
        evses=args.evse,
        once=args.once,
        timeout=args.timeout,
        width=args.width,
    )


def _parser() -> argparse.ArgumentParser:
    # --log-level is accepted before and after the subcommand; SUPPRESS keeps a subcommand that
    # does not repeat it from overwriting the value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--log-level",
        type=_level,
        default=argparse.SUPPRESS,
        metavar="LEVEL",
        help=f"log level: {', '.join(LEVELS)} (default: ${LOG_LEVEL_ENV}, else info)",
    )
    parser = argparse.ArgumentParser(
        prog="everest-ocpp",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"everest-ocpp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{run,demo,schedule}")

    run = sub.add_parser(
        "run",
        parents=[common],
        help="run the module standalone from an EVerest runtime config",
        description="Run the module standalone: identity, broker, config_module and connections come "
        "from an EVerest runtime config (the manager's YAML). Runs until SIGTERM/SIGINT.",
    )
    run.add_argument(
        "--config", required=True, metavar="FILE", help="EVerest runtime config (settings, active_modules)"
    )
    run.add_argument("--module-id", required=True, metavar="ID", help="this module's id under active_modules")
    _broker_options(run)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="broker + local CSMS + module on this machine, until Ctrl-C",
        description="Start an MQTT broker, a local CSMS and the module with a stand-in charger, and show "
        "them talking: configuration, availability and a charging profile with its composite schedule.",
    )
    demo.add_argument("--ocpp", choices=("1.6", "2.0.1"), default="1.6", help="OCPP version (default 1.6)")
    demo.add_argument("--duration", type=float, metavar="S", help="stop after S seconds (default: at Ctrl-C)")
    demo.add_argument(
        "--embedded-broker",
        action="store_true",
        help="use the embedded Python broker (the demo extra) even when mosquitto is installed",
    )
    demo.set_defaults(func=cmd_demo)

    schedule = sub.add_parser(
        "schedule",
        parents=[common],
        help="plot the charging_schedules a running module publishes",
        description="Subscribe to a running module's charging_schedules var and draw each published "
        "composite schedule in the terminal. Broker and prefix from --config, or --mqtt-host/"
        "--mqtt-port/--prefix (default localhost:1883, everest/).",
    )
    schedule.add_argument(
        "--config", metavar="FILE", help="EVerest runtime config to take broker and prefix from"
    )
    schedule.add_argument(
        "--module-id", default="ocpp", metavar="ID", help="the OCPP module's id (default ocpp)"
    )
    _broker_options(schedule)
    schedule.add_argument(
        "--evse", type=int, action="append", metavar="N", help="only this EVSE (repeatable; 0 = the station)"
    )
    schedule.add_argument("--once", action="store_true", help="exit after the first publication")
    schedule.add_argument("--timeout", type=float, metavar="S", help="give up after S seconds without one")
    schedule.add_argument("--width", type=int, default=60, metavar="COLS", help="chart width (default 60)")
    schedule.set_defaults(func=cmd_schedule)
    return parser


def _broker_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mqtt-host", metavar="HOST", help="MQTT broker host (overrides the config)")
    parser.add_argument(
        "--mqtt-port", type=int, metavar="PORT", help="MQTT broker port (overrides the config)"
    )
    parser.add_argument(
        "--prefix", metavar="PREFIX", help="EVerest MQTT prefix (default from the config, else everest/)"
    )


def main(argv: list[str] | None = None) -> int:
    gc.enable()  # the entry point switched it off for the imports (see __main__.py)
    parser = _parser()
    args = parser.parse_args(argv)
    level = getattr(args, "log_level", None)
    if level is None:
        try:
            level = _level(os.environ.get(LOG_LEVEL_ENV, "info"))
        except argparse.ArgumentTypeError as exc:
            parser.error(f"{LOG_LEVEL_ENV}: {exc}")
    _setup_logging(level)
    return int(args.func(args))


def main_spawned(module_dir: Path) -> int:
    """Entry when the EVerest manager executes module.py (identity and broker from EV_* variables).

    A spawned module never exits on its own: the manager would tear the whole stack down.
    """
    gc.enable()  # module.py switched it off for the imports
    try:
        level = _level(os.environ.get(LOG_LEVEL_ENV, "info"))
        bad_level = None
    except argparse.ArgumentTypeError as exc:
        level, bad_level = "info", str(exc)
    _setup_logging(level)
    if bad_level:
        log.warning("%s: %s; logging at info", LOG_LEVEL_ENV, bad_level)
    try:
        module_id, settings = settings_from_environment(os.environ)
    except SetupError as exc:
        log.error("%s", exc)
        return EXIT_CONFIG_ERROR
    app = Application(settings, None, module_id, spawned=True, base_dir=module_dir)
    return asyncio.run(_serve(app))


if __name__ == "__main__":
    sys.exit(main())
