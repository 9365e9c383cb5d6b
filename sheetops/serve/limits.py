"""A per-caller rate limit: a token bucket for each caller, refilled every minute."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """``per_minute`` requests a minute per caller, in a burst of at most as many."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """0 when the caller may go on now, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[caller] = (tokens - 1, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            if len(self._buckets) > 10_000:  # forget callers whose buckets are full again
                rate, full = self.rate, self.capacity
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] + (now - v[1]) * rate < full}
            return (1 - tokens) / self.rate
