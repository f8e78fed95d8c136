"""Which handlers an incoming MQTT message goes to: a dict of topics instead of paho's filter tree.

A topic's handlers are matched against the filters once and remembered; callers inventing topics
cost a match each, never memory (the memory is bounded). No handler's exception escapes: paho would
handle the same packet again, forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import paho.mqtt.client as paho

from .topic_check import shown

log = logging.getLogger(__name__)

MessageCallback = Callable[[str, bytes], None]

MATCH_CACHE = 4096  # topics whose handlers are remembered


class TopicRouter:
    def __init__(self) -> None:
        self._handlers: list[tuple[str, MessageCallback]] = []
        self._matches: dict[str, tuple[MessageCallback, ...]] = {}  # topic -> its handlers

    def add(self, topic_filter: str, callback: MessageCallback) -> None:
        self._handlers.append((topic_filter, callback))
        self._matches.clear()

    def dispatch(self, topic: str, payload: bytes) -> None:
        callbacks = self._matches.get(topic)
        if callbacks is None:
            callbacks = tuple(cb for f, cb in self._handlers if paho.topic_matches_sub(f, topic))
            if len(self._matches) >= MATCH_CACHE:
                self._matches.clear()
            self._matches[topic] = callbacks
            if not callbacks:
                log.debug("unhandled MQTT message on %s", shown(topic))
        for callback in callbacks:
            try:
                callback(topic, payload)
            except Exception:  # an escaping exception makes paho handle the packet again
                log.exception("handling an MQTT message on %s failed", shown(topic))
