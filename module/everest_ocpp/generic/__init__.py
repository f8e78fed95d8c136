"""The EVerest `ocpp` interface: thin translation between interface types and the active OCPP backend."""
