"""What a job handler reads of its job's configuration: its params, the session its messages
go out from, and the batch they are gathered in."""

from __future__ import annotations

from typing import Any

from cicero.domain.delivery.splitting import DEFAULT_MAX_CHARS
from cicero.jobs.registry import JobContext
from cicero.reports.batch import Batch


def job_params(ctx: JobContext) -> dict[str, Any]:
    job = ctx.settings.config.jobs.get(ctx.job)
    return dict(job.params) if job else {}


def job_session(ctx: JobContext) -> str:
    """The session of the job's bucket (sender fallback between sessions is the drain's)."""
    job = ctx.settings.config.jobs.get(ctx.job)
    bucket = job.bucket if job else "gateway"
    return "operator" if bucket == "always" else bucket


def batch_for(ctx: JobContext) -> Batch:
    """The batch of a scheduled run: keyed (job, fire time, recipient, part), texts split at
    the job's `max_text_chars`."""
    limit = int(job_params(ctx).get("max_text_chars", DEFAULT_MAX_CHARS))
    return Batch(ctx.job, ctx.fire_time, ctx.now, job_session(ctx), limit)
