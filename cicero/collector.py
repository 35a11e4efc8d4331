"""How the runtime uses Python's garbage collector.

Nearly everything here is freed by reference counting; the collector only matters for
reference cycles, which are rare. What it costs is walking live objects: a directorate
recap of 20,000 people keeps ~100,000 container objects (rows, people, their results) alive
for a moment, and every collection that falls inside that moment walks them all.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# The young generation's threshold, set for every actor by the launcher before it forks them.
# At the default of 700 the collector ran ~120 times during one 20,000-person recap and
# walked its objects again and again (bench/recap.py: ~60 ms a recap, growing faster than
# the staff).
GC_THRESHOLDS = (50_000, 20, 20)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block: a recap's burst of objects is freed by
    reference counting when it ends, before any collection has walked it (~30 ms of a
    20,000-person recap otherwise). Cycles made meanwhile wait for the next collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
