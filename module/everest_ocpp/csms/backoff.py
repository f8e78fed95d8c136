"""Reconnect back-off as both OCPP versions describe it (wait minimum, doubling, random range)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    wait_minimum_s: float = 3.0  # RetryBackoffWaitMinimum / RetryBackOffWaitMinimum
    random_range_s: float = 10.0  # RetryBackoffRandomRange / RetryBackOffRandomRange
    repeat_times: int = 3  # RetryBackoffRepeatTimes / RetryBackOffRepeatTimes

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before reconnect attempt ``attempt`` (0 = first retry).

        The wait doubles ``repeat_times`` times and then stays; a random part spreads chargers
        that lost the CSMS at the same moment.
        """
        doublings = min(max(attempt, 0), max(self.repeat_times, 0))
        jitter = (rng or random).uniform(0, self.random_range_s) if self.random_range_s > 0 else 0.0
        return self.wait_minimum_s * (2**doublings) + jitter
