from harness.stack import Stack


def test_boots_against_csms(make_stack) -> None:
    stack: Stack = make_stack()
    stack.start()
    boot = stack.csms.received("BootNotification")[0]
    assert boot.payload["chargePointVendor"] == "Pionix"
    assert boot.payload["chargePointModel"] == "Yeti"
    assert stack.csms.connections[0]["path"] == "/cp001"
    assert stack.csms.connections[0]["subprotocol"] == "ocpp1.6"


def test_sigint_exits_zero(make_stack) -> None:
    import signal

    stack: Stack = make_stack()
    stack.start()
    assert stack.module is not None and stack.module.proc is not None
    stack.module.proc.send_signal(signal.SIGINT)
    assert stack.module.proc.wait(10) == 0
