"""How one ingestion stage's outcome is judged and how a run is summarised (data.md §3).

`ingest_run` holds one row per (platform, client, stage, fire time). The counts are
additive across a client's stages: the posts stage carries `posts` and `new_posts`,
the likers/comments stage carries `engagements`; so the transcript's `ingest` line
for (platform, client, fire time) is the sum over its stages.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cicero.domain.ingestion.rules import Outcome, Stage
from cicero.domain.people.usernames import Platform

UNAVAILABLE = "unavailable"  # error class and stage outcome: account/post missing or private

# The worse of two engagement fetch outcomes wins the stage's outcome.
_SEVERITY = {
    Outcome.UNCHANGED: -1, Outcome.COMPLETE: 0, Outcome.EMPTY: 1, Outcome.TRUNCATED: 2,
    Outcome.FAILED: 3,
}  # fmt: skip


@dataclass(frozen=True)
class StageResult:
    platform: Platform
    client_id: str
    stage: Stage
    outcome: str  # an ingest_run outcome: complete, truncated, empty, failed, unavailable
    pages: int = 0
    posts: int = 0  # today's posts the listing returned (posts stage only)
    new_posts: int = 0  # of those, first seen in this run (posts stage only)
    engagements: int = 0  # engagement rows first seen in this run (likers/comments only)
    skipped: int = 0  # unusable items and names
    error_class: str | None = None
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.error_class is not None


def listing_outcome(outcome: Outcome, error_class: str | None) -> str:
    """A failed listing of a missing or private account is `unavailable`, not `failed`."""
    if outcome is Outcome.FAILED and error_class == UNAVAILABLE:
        return UNAVAILABLE
    return outcome.value


@dataclass(frozen=True)
class Fetched:
    """One post's liker/commenter fetch, as far as the stage's verdict needs it."""

    outcome: Outcome
    error_class: str | None = None


def engagement_stage_outcome(fetches: Sequence[Fetched]) -> tuple[str, str | None]:
    """The worst fetch decides (one failed post leaves the day's data incomplete), and the
    error class is the first failure's. A post gone upstream (`unavailable`) is no failure
    of the stage: its removal is the posts stage's business. No posts: complete; only
    posts left `unchanged` (no request made): unchanged."""
    relevant = [f for f in fetches if f.error_class != UNAVAILABLE]
    if fetches and not relevant:
        return UNAVAILABLE, UNAVAILABLE
    if not relevant:
        return Outcome.COMPLETE.value, None
    worst = max(relevant, key=lambda f: _SEVERITY[f.outcome])
    error = next((f.error_class for f in relevant if f.error_class is not None), None)
    return worst.outcome.value, error


def job_reason(results: Iterable[StageResult]) -> str:
    """The job_run reason: per platform, clients ok and failed with the first failure's class,
    e.g. "instagram: 3 clients ok, 1 failed (POLRES_B: auth); tiktok: 2 clients ok"."""
    by_platform: dict[Platform, list[StageResult]] = {}
    for r in results:
        by_platform.setdefault(r.platform, []).append(r)
    if not by_platform:
        return "no clients to ingest"
    return "; ".join(f"{p}: {platform_reason(by_platform[p])}" for p in sorted(by_platform))


def platform_reason(results: Iterable[StageResult]) -> str:
    """The reason of one platform's part of the job, e.g. "3 clients ok, 1 failed (…)"; the
    job's row joins the parts as "instagram: …; tiktok: …" (cicero.domain.runtime.job_parts)."""
    clients: dict[str, str | None] = {}  # client → its first failure's class, None while ok
    for r in results:
        if clients.get(r.client_id) is None:
            clients[r.client_id] = r.error_class if r.failed else None
    if not clients:
        return "no clients to ingest"
    failed = sorted((c, e) for c, e in clients.items() if e is not None)
    text = f"{len(clients) - len(failed)} clients ok"
    if failed:
        text += f", {len(failed)} failed ({', '.join(f'{c}: {e}' for c, e in failed)})"
    return text
