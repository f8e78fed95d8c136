"""Where a module's identity, broker, configuration and connections come from.

Two sources: an EVerest runtime config file (standalone start) or the manager's reply to
``config/request`` (spawned start). Both end in the same :class:`ModuleSetup`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .mqtt import BrokerAddress
from .protocol import normalize_prefix
from .yamlfile import load_everest_yaml


class SetupError(Exception):
    """The module cannot be configured (message says which file/key and why)."""


@dataclass(frozen=True, slots=True)
class Connection:
    module_id: str
    implementation_id: str
    mapping: dict[str, Any] | None = field(default=None, compare=False)  # target's {evse, connector?}


def implementation_mapping(module_mapping: Any, implementation_id: str) -> dict[str, Any] | None:
    """The EVSE mapping of one implementation: its own entry, else its module's (EVerest's rule)."""
    if not isinstance(module_mapping, dict):
        return None
    impls = module_mapping.get("implementations")
    if isinstance(impls, dict) and isinstance(impls.get(implementation_id), dict):
        return dict(impls[implementation_id])
    module = module_mapping.get("module")
    return dict(module) if isinstance(module, dict) else None


@dataclass(slots=True)
class ModuleSetup:
    module_id: str
    module_name: str = ""
    config: dict[str, Any] = field(default_factory=dict)  # config_module, defaults not yet applied
    impl_config: dict[str, dict[str, Any]] = field(default_factory=dict)
    connections: dict[str, list[Connection]] = field(default_factory=dict)  # requirement id -> targets
    mapping: dict[str, Any] | None = None
    base_dir: Path = field(default_factory=Path.cwd)  # relative paths in config resolve against this
    # standalone only: where the entry is ("<file>: active_modules.<id>") and the other modules of
    # the config (id -> module name), for the checks the manager would do (setup_checks.py)
    source: str = ""
    peers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    prefix: str = "everest/"
    broker: BrokerAddress = field(default_factory=BrokerAddress)
    external_prefix: str = ""  # put before external (raw) MQTT topics, e.g. everest_api/...


def _connections(raw: Any, where: str, mappings: dict[str, Any] | None = None) -> dict[str, list[Connection]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SetupError(f"{where}: 'connections' must be a mapping")
    result: dict[str, list[Connection]] = {}
    for req, targets in raw.items():
        if not isinstance(targets, list):
            raise SetupError(f"{where}: connections.{req} must be a list")
        conns = []
        for t in targets:
            if not isinstance(t, dict) or "module_id" not in t or "implementation_id" not in t:
                raise SetupError(f"{where}: connections.{req} entries need module_id and implementation_id")
            module_id, impl = str(t["module_id"]), str(t["implementation_id"])
            mapping = implementation_mapping((mappings or {}).get(module_id), impl)
            conns.append(Connection(module_id, impl, mapping))
        result[str(req)] = conns
    return result


def load_runtime_config(
    path: Path,
    module_id: str,
    *,
    mqtt_host: str | None = None,
    mqtt_port: int | None = None,
    prefix: str | None = None,
) -> tuple[RuntimeSettings, ModuleSetup]:
    """Read an EVerest runtime config (``settings`` + ``active_modules``) for a standalone start."""
    try:
        doc = load_everest_yaml(path)
    except OSError as exc:
        raise SetupError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SetupError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise SetupError(f"{path}: expected a mapping with 'active_modules'")
    settings = doc.get("settings") or {}
    if not isinstance(settings, dict):
        raise SetupError(f"{path}: 'settings' must be a mapping")
    modules = doc.get("active_modules")
    if not isinstance(modules, dict):
        raise SetupError(f"{path}: 'active_modules' is missing")
    entry = modules.get(module_id)
    if not isinstance(entry, dict):
        known = ", ".join(sorted(str(k) for k in modules)) or "none"
        raise SetupError(f"{path}: module id '{module_id}' is not in active_modules (known: {known})")
    config = entry.get("config_module") or {}
    if not isinstance(config, dict):
        raise SetupError(f"{path}: active_modules.{module_id}.config_module must be a mapping")
    impl_config = entry.get("config_implementation") or {}
    socket_path = settings.get("mqtt_broker_socket_path")
    broker = BrokerAddress(
        host=mqtt_host or str(settings.get("mqtt_broker_host", "localhost")),
        port=int(mqtt_port or settings.get("mqtt_broker_port", 1883)),
        socket_path=None if (mqtt_host or mqtt_port) else socket_path,
    )
    rt = RuntimeSettings(
        prefix=normalize_prefix(prefix or str(settings.get("mqtt_everest_prefix", "everest/"))),
        broker=broker,
        external_prefix=str(settings.get("mqtt_external_prefix") or ""),
    )
    setup = ModuleSetup(
        module_id=module_id,
        module_name=str(entry.get("module", "")),
        config=dict(config),
        impl_config={str(k): dict(v or {}) for k, v in impl_config.items()},
        connections=_connections(
            entry.get("connections"),
            f"{path}: active_modules.{module_id}",
            {str(k): v.get("mapping") for k, v in modules.items() if isinstance(v, dict)},
        ),
        mapping=entry.get("mapping"),
        base_dir=path.resolve().parent,
        source=f"{path}: active_modules.{module_id}",
        peers={
            str(mid): str(m.get("module", "")) if isinstance(m, dict) else ""
            for mid, m in modules.items()
            if mid != module_id
        },
    )
    return rt, setup


def settings_from_environment(env: os._Environ[str] | dict[str, str]) -> tuple[str, RuntimeSettings]:
    """Module id, prefix and broker as the manager passes them to a spawned Python module."""
    module_id = env.get("EV_MODULE")
    if not module_id:
        raise SetupError("EV_MODULE is not set: module.py must be started by the EVerest manager")
    socket_path = env.get("EV_MQTT_BROKER_SOCKET_PATH")
    host, port = env.get("EV_MQTT_BROKER_HOST"), env.get("EV_MQTT_BROKER_PORT")
    if not socket_path and not (host and port):
        raise SetupError("neither EV_MQTT_BROKER_SOCKET_PATH nor EV_MQTT_BROKER_HOST/PORT is set")
    try:
        broker = BrokerAddress(
            host=host or "localhost", port=int(port or 1883), socket_path=socket_path or None
        )
    except ValueError:
        raise SetupError(f"EV_MQTT_BROKER_PORT is not a number: {port!r}") from None
    prefix = normalize_prefix(env.get("EV_MQTT_EVEREST_PREFIX") or "everest/")
    external = env.get("EV_MQTT_EXTERNAL_PREFIX") or ""
    return module_id, RuntimeSettings(prefix=prefix, broker=broker, external_prefix=external)


_TYPE_CASTS = {"integer": int, "number": float, "bool": bool, "string": str}


def _mappings(data: dict[str, Any]) -> dict[str, Any]:
    found = (data.get("response") or {}).get("data", {}).get("mappings")
    return found if isinstance(found, dict) else {}


def setup_from_manager_response(data: Any, module_id: str, base_dir: Path) -> ModuleSetup:
    """Build the setup from the ``GetConfigResponse`` data of a Module config request."""
    if not isinstance(data, dict) or data.get("status") != "Ok":
        status = data.get("status") if isinstance(data, dict) else None
        raise SetupError(f"manager refused the config request: status={status!r}")
    try:
        mc = data["response"]["data"]["module_config"]
    except (KeyError, TypeError):
        raise SetupError("manager config response has no response.data.module_config") from None
    config: dict[str, Any] = {}
    impl_config: dict[str, dict[str, Any]] = {}
    for bucket, params in (mc.get("configuration_parameters") or {}).items():
        values = {}
        for p in params or []:
            value = p.get("value")
            cast = _TYPE_CASTS.get((p.get("characteristics") or {}).get("datatype", ""))
            values[str(p["name"])] = cast(value) if cast and value is not None else value
        if bucket == "!module":
            config = values
        else:
            impl_config[str(bucket)] = values
    return ModuleSetup(
        module_id=module_id,
        module_name=str(mc.get("module_name", "")),
        config=config,
        impl_config=impl_config,
        connections=_connections(mc.get("connections"), "manager config", _mappings(data)),
        mapping=mc.get("mapping"),
        base_dir=base_dir,
    )
