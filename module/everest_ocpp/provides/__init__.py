"""The implementations the module provides besides ``ocpp_generic``, with the C++ modules' ids.

Each is a translation layer between EVerest types and the OCPP backend that knows neither MQTT nor
OCPP-J (like ``generic/ocpp_interface.py``). :func:`register_all` gives the runtime every command
handler at start-up; the returned :class:`Provided` is attached to the backend once OCPP runs, and
its ``events`` is what the backend reports to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..generic.backend import BackendEvents, OcppBackend
from .auth_provider import AuthProvider
from .auth_validator import AuthValidator
from .charge_point_16 import ChargePoint16
from .data_transfer import DataTransfer
from .events import BackendEventsFanOut
from .session_cost import SessionCost

Handler = Callable[..., Any]


class Registrar(Protocol):
    """The part of the EVerest runtime the implementations need."""

    def implement(self, impl: str, cmd: str, handler: Handler) -> None: ...

    def publish_var(self, impl: str, var: str, value: Any) -> bool: ...


class Implementation(Protocol):
    def commands(self) -> dict[str, Handler]: ...

    def attach(self, backend: OcppBackend) -> None: ...


class Provided:
    """Every implementation registered by :func:`register_all`, keyed by implementation id."""

    def __init__(self, implementations: dict[str, Implementation], events: BackendEvents) -> None:
        self.implementations = implementations
        self.events = events  # what the backend reports to: ocpp_generic and main alike

    def attach(self, backend: OcppBackend) -> None:
        for impl in self.implementations.values():
            impl.attach(backend)


def register_all(runtime: Registrar, generic: BackendEvents) -> Provided:
    """Register the command handlers of ``main``, ``auth_validator``, ``auth_provider``, ``data_transfer``
    and ``session_cost``; ``generic`` (``ocpp_generic``) receives backend events together with ``main``."""

    def publisher(impl: str) -> Callable[[str, Any], object]:
        return lambda var, value: runtime.publish_var(impl, var, value)

    main = ChargePoint16(publisher("main"))
    implementations: dict[str, Implementation] = {
        "main": main,
        "auth_validator": AuthValidator(publisher("auth_validator")),
        "auth_provider": AuthProvider(publisher("auth_provider")),
        "data_transfer": DataTransfer(publisher("data_transfer")),
        "session_cost": SessionCost(publisher("session_cost")),
    }
    for impl_id, impl in implementations.items():
        for cmd, handler in impl.commands().items():
            runtime.implement(impl_id, cmd, handler)
    return Provided(implementations, BackendEventsFanOut(generic, main))
