"""EVerest runtime over MQTT: knows the EVerest protocol, nothing of OCPP."""
