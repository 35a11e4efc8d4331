"""Personal reminder stages (jobs.md §2.1): once per person per stage per day.

Run stage: `initial` if nobody has a row yet or everyone's row is complete, `followup1` if
every pending row is still `initial`, else `followup2`. A person is due with no row, or
with a pending row behind the run stage (`followup2` repeats); complete rows are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

STAGES = ("initial", "followup1", "followup2")


@dataclass(frozen=True)
class ReminderRow:
    stage: str
    complete: bool


def run_stage(rows: Iterable[ReminderRow]) -> str:
    pending = [r for r in rows if not r.complete]
    if not pending:
        return "initial"
    if all(r.stage == "initial" for r in pending):
        return "followup1"
    return "followup2"


def due(row: ReminderRow | None, stage: str) -> bool:
    if row is None:
        return True
    if row.complete:
        return False
    return STAGES.index(row.stage) < STAGES.index(stage) or stage == "followup2"
