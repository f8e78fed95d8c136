"""Free loopback ports and waiting for a listener (the demo's helpers, shared)."""

from everest_ocpp.demo.broker import free_port, wait_listening

__all__ = ["free_port", "wait_listening"]
