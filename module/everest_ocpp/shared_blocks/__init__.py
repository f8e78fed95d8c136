"""The version-neutral half of the functional blocks that OCPP 1.6 and 2.0.1 both have.

Firmware update, log upload, certificate management, data transfer, smart charging, the local
authorization list, token validation, remote control and reservations work the same in both
versions; only their messages differ. The mechanism lives here; each version's block (in ``v16/``
and ``v201/``) keeps its ``@on`` / ``@after`` handlers, which turn its messages into calls of these
classes and their results into its answers.
"""
