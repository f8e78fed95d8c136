"""Getting from a start (standalone or spawned) to a connected :class:`Runtime`."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from .definitions import Definitions
from .metaschema import DefinitionError, resolve_config_values
from .mqtt import MqttConnection
from .protocol import EnvelopeError, MsgType, Topics, envelope, parse_envelope
from .runtime import Runtime
from .setup import ModuleSetup, RuntimeSettings, SetupError, setup_from_manager_response

log = logging.getLogger(__name__)

CONFIG_REQUEST_TIMEOUT_S = 5.0


def module_config(defs: Definitions, raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Apply manifest defaults and check values, as the manager does for ``config_module``."""
    try:
        values, unknown = resolve_config_values(defs.config_schema(), raw, where)
    except DefinitionError as exc:
        raise SetupError(str(exc)) from None
    for key in unknown:
        log.error("%s: unknown config key '%s' ignored", where, key)
    return values


async def fetch_manager_setup(
    mqtt: MqttConnection, settings: RuntimeSettings, module_id: str, base_dir: Path
) -> ModuleSetup:
    """Ask the manager for this module's config (``config/request``); retries until answered.

    A spawned module must never exit on its own (the manager would tear the stack down), so a
    missing answer is logged and asked again rather than fatal.
    """
    topics = Topics(settings.prefix)
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[Any] = loop.create_future()

    def on_response(_topic: str, payload: bytes) -> None:
        try:
            msg_type, data = parse_envelope(payload)
        except EnvelopeError:
            return
        if msg_type == MsgType.GET_CONFIG_RESPONSE and not answer.done():
            answer.set_result(data)

    mqtt.add_handler(topics.config_response(module_id), on_response)
    await mqtt.subscribe([topics.config_response(module_id)])
    request = {"type": "Get", "origin": module_id, "request": {"type": "Module"}}
    attempt = 0
    while True:
        attempt += 1
        mqtt.publish(topics.config_request, envelope(MsgType.GET_CONFIG, request))
        try:
            data = await asyncio.wait_for(asyncio.shield(answer), CONFIG_REQUEST_TIMEOUT_S)
            break
        except TimeoutError:
            log.warning("no answer to config request #%d from the manager; asking again", attempt)
    return setup_from_manager_response(data, module_id, base_dir)


async def connect(
    settings: RuntimeSettings, setup: ModuleSetup | None, module_id: str, defs: Definitions, base_dir: Path
) -> Runtime:
    """Connect to the broker; with ``setup`` None fetch it from the manager first."""
    mqtt = MqttConnection(settings.broker, client_id=f"{module_id}-{id(defs):x}")
    await mqtt.connect()
    if setup is None:
        setup = await fetch_manager_setup(mqtt, settings, module_id, base_dir)
    return Runtime(mqtt, settings.prefix, setup, defs, external_prefix=settings.external_prefix)
