"""Version-neutral parts of the link to the CSMS: websocket lifecycle, back-off, outgoing queue."""
