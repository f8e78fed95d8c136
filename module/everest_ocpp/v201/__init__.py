"""OCPP 2.0.1: device model and the CSMS link."""
