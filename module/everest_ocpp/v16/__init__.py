"""OCPP 1.6: configuration keys and the CSMS link."""
