"""The EVerest runtime alone, as a real process, implementing the test interface (tests/fixtures/defs).

    python -m harness.runtime_host HOST PORT PREFIX

Module id ``mod``; requirement ``dep`` is connected to ``probe``/``dep``. Used where the runtime
must be measured on its own (its memory, its stalls) without the OCPP parts of the module. Exits
on SIGTERM after closing the MQTT connection.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

from everest_ocpp.everest.definitions import Definitions
from everest_ocpp.everest.errors import CmdError
from everest_ocpp.everest.mqtt import BrokerAddress, MqttConnection
from everest_ocpp.everest.protocol import CmdErrorType
from everest_ocpp.everest.runtime import Runtime
from everest_ocpp.everest.setup import Connection, ModuleSetup

DEFS = Path(__file__).parents[1] / "fixtures" / "defs"


async def serve(host: str, port: int, prefix: str) -> None:
    setup = ModuleSetup(module_id="mod", connections={"dep": [Connection("probe", "dep")]})
    mqtt = MqttConnection(BrokerAddress(host, port))
    await mqtt.connect()
    rt = Runtime(mqtt, prefix, setup, Definitions(DEFS))
    dep_values: list[int] = []

    def fail(kind: str) -> bool:
        if kind == "exception":
            raise RuntimeError("boom")
        raise CmdError(CmdErrorType(kind), f"raised {kind}")

    async def call_dep(timeout: float) -> str:
        try:
            return str(await rt.call("dep", 0, "ping", {"text": "hi"}, timeout=timeout))
        except CmdError as exc:
            return f"{exc.error_type}: {exc}"

    def keep(value: int) -> None:
        dep_values[:] = [value]

    rt.implement("main", "echo", lambda value: value)
    rt.implement("main", "no_args", lambda: True)
    rt.implement("main", "fail", fail)
    rt.implement("main", "bad_result", lambda: "yes")
    rt.implement("main", "call_dep", call_dep)
    rt.implement("main", "publish", lambda value: rt.publish_var("main", "item", value))
    rt.implement("main", "last_dep_value", lambda: dep_values[-1] if dep_values else -1)
    rt.subscribe_var("dep", 0, "counter", keep)
    await rt.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await mqtt.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    asyncio.run(serve(host, port, prefix))


if __name__ == "__main__":
    main()
