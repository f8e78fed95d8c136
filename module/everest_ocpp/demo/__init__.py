"""``everest-ocpp demo``: broker + local CSMS + the module + a stand-in charger, all on this machine."""

from .run import run_demo

__all__ = ["run_demo"]
