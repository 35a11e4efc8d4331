"""A job split into parts run by different actors (ingest_social: one per platform).

The schedule sees one job and one fire time; each part claims its own ledger row
(`job/part`) so that two actors never run the same part twice, and the job's own
row gets the combined outcome once every part has reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cicero.domain.runtime.names import RunStatus

SEPARATOR = "/"
FINAL = (RunStatus.DONE, RunStatus.FAILED, RunStatus.SKIPPED)


def ledger_key(job: str, part: str) -> str:
    """The job_run key a part claims; the job's own key when it has no parts."""
    return f"{job}{SEPARATOR}{part}" if part else job


def is_part_key(key: str) -> bool:
    return SEPARATOR in key


@dataclass(frozen=True)
class PartOutcome:
    status: RunStatus  # done | failed | skipped
    reason: str = ""


def combine(outcomes: Mapping[str, PartOutcome]) -> PartOutcome:
    """One outcome for the job: failed if any part failed, skipped only if every part
    was skipped, else done. The reason names each part, in the order given."""
    if not outcomes:
        raise ValueError("a job with parts needs at least one outcome")
    statuses = {o.status for o in outcomes.values()}
    if RunStatus.FAILED in statuses:
        status = RunStatus.FAILED
    elif statuses == {RunStatus.SKIPPED}:
        status = RunStatus.SKIPPED
    else:
        status = RunStatus.DONE
    reason = "; ".join(f"{part}: {o.reason or o.status}" for part, o in outcomes.items())
    return PartOutcome(status, reason)


@dataclass
class Gathering:
    """The parts of one (job, fire time) still out, and what the others said."""

    parts: tuple[str, ...]
    received: dict[str, PartOutcome] = field(default_factory=dict)
    crashed: set[str] = field(default_factory=set)  # to be sent again with the job's next try

    def add(self, part: str, outcome: PartOutcome) -> PartOutcome | None:
        """Record a part's end; the combined outcome once the last part is in."""
        if part not in self.parts or part in self.received:
            return None  # a stray or repeated report changes nothing
        self.received[part] = outcome
        if len(self.received) < len(self.parts):
            return None
        return combine({p: self.received[p] for p in self.parts})


def parts_out(gathering: Gathering) -> set[str]:
    """The parts of a run that have not answered and are not waiting for a retry. A run one
    part of which crashed leaves `running` to wait for its retry while these still work."""
    return set(gathering.parts) - gathering.received.keys() - gathering.crashed
