"""Adapters from the EVerest runtime to the charger services OCPP needs (EVSEs, system, security).

They know EVerest interface names and argument shapes, not OCPP-J.
"""
