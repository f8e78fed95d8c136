"""everest-ocpp: a pure-Python EVerest module speaking OCPP-J 1.6 and 2.0.1."""

__version__ = "0.1.0"
