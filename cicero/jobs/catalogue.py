"""The handlers that have landed. Each entry is a real implementation; a job of
config/cicero.toml missing here is reported as not implemented, never faked."""

from __future__ import annotations

from cicero.jobs.housekeeping import housekeeping
from cicero.jobs.ingest import ingest_social
from cicero.jobs.registry import JobHandler, Registry


def registry() -> Registry:
    return Registry(
        [
            JobHandler("housekeeping", housekeeping, actor="worker"),
            JobHandler("ingest_social", ingest_social, actor="ingestor"),
        ]
    )
