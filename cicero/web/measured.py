"""What the web server's thread measures for /metrics (A8's upstream calls), handed to the
Web actor's thread: each call fills a Tally of its own and adds it here under a lock; the
actor takes the lot on its next wakeup and ships it to the supervisor with everyone else's."""

from __future__ import annotations

import threading

from cicero.domain.runtime.tally import Tally


class Measured:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tally = Tally()

    def add(self, tally: Tally) -> None:
        with self._lock:
            self._tally.merge(tally)

    def take(self) -> Tally:
        with self._lock:
            return self._tally.take()
