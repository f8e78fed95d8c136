"""Real parts for tests: mosquitto, a CSMS on the `ocpp` package, the module process, and a probe."""
