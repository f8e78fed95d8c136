"""The module under test as a real process: ``python -m everest_ocpp run --config ... --module-id ...``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]


def write_runtime_config(
    path: Path,
    *,
    prefix: str,
    host: str,
    port: int,
    module_id: str,
    config_module: dict[str, Any],
    connections: dict[str, list[dict[str, str]]],
    module_name: str = "EverestOcpp",
    others: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """``others``: further active_modules entries (e.g. the probe with its EVSE mappings)."""
    modules: dict[str, Any] = {
        module_id: {"module": module_name, "config_module": config_module, "connections": connections}
    }
    modules.update(others or {})
    doc = {
        "settings": {"mqtt_everest_prefix": prefix, "mqtt_broker_host": host, "mqtt_broker_port": port},
        "active_modules": modules,
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


class ModuleProcess:
    def __init__(
        self, config: Path, module_id: str, log_path: Path, extra_args: list[str] | None = None
    ) -> None:
        self.config = config
        self.module_id = module_id
        self.log_path = log_path
        self.extra_args = extra_args or []
        self.extra_env: dict[str, str] = {}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO / "module"), env.get("PYTHONPATH", "")])
        env.setdefault("EVEREST_OCPP_LOG_LEVEL", "debug")
        argv = [sys.executable, "-m", "everest_ocpp", "run", "--config", str(self.config)]
        self._popen([*argv, "--module-id", self.module_id, *self.extra_args], env, self.config.parent)

    def start_spawned(self, env_vars: dict[str, str], cwd: Path) -> None:
        """Start as the EVerest manager does: ``python3 <repo>/module.py`` with EV_* variables only."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("EV_")}
        env.update(env_vars)
        env.setdefault("EVEREST_OCPP_LOG_LEVEL", "debug")
        self._popen([sys.executable, str(REPO / "module.py")], env, cwd)

    def _popen(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        env.update(self.extra_env)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=log, env=env, cwd=cwd)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait; returns the exit code (killed processes give a negative code)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        code = self.proc.returncode
        self.proc = None
        return code

    def kill(self) -> None:
        """SIGKILL (kill -9): nothing is flushed or closed."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            self.proc = None

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""
