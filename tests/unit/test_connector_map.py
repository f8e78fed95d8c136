"""OCPP 1.6 connector numbering across EVSEs."""

from everest_ocpp.bridge.evse import EvseInfo
from everest_ocpp.v16.connectors import ConnectorMap


def test_numbering_across_evses() -> None:
    m = ConnectorMap.from_evses([EvseInfo(1, 2, (1, 2)), EvseInfo(0, 1, (1,))])
    assert m.by_ocpp == {1: (1, 1), 2: (2, 1), 3: (2, 2)}
    assert (m.count, m.ocpp_id(2, 2), m.ocpp_id(3, 1), m.evse_of(1), m.evse_of(9)) == (3, 3, None, 1, None)
    assert m.connectors_of_evse(2) == [2, 3]
