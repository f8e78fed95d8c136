"""Composite charging schedules shared by OCPP 1.6 and 2.0.1 (pure, no I/O but the profile store)."""
