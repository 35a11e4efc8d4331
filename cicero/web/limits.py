"""Per-person request budgets (api.md §2.1 step 7: 30 POST and 120 GET a minute).

Fixed one-minute windows on the runtime's clock (virtual in simulation), kept in the Web
process's memory: one process serves the API, and a budget that restarts with it is only
generous for a minute. Old windows are dropped as the clock moves on, so memory is bounded
by the people active in the current minute.
"""

from __future__ import annotations

from datetime import datetime


class MinuteLimits:
    def __init__(self) -> None:
        self.minute: datetime | None = None
        self.counts: dict[tuple[str, str], int] = {}

    def take(self, bucket: str, who: str, limit: int, now: datetime) -> int | None:
        """Count one request; None when within `limit`, else the seconds until the next
        window opens (for Retry-After)."""
        minute = now.replace(second=0, microsecond=0)
        if minute != self.minute:
            self.minute, self.counts = minute, {}
        key = (bucket, who)
        used = self.counts.get(key, 0) + 1
        self.counts[key] = used
        if used <= limit:
            return None
        return max(1, 60 - now.second)
