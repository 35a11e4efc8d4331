"""The directorate jobs (jobs.md §2.1: one type; a directorate, recipients, ordered reports).

`[jobs.KEY.params]`: `directorate` (client id), `recipients` (selectors `group`, `super`,
`operator` of the directorate's client row), optional `numbers`, `reports` (jobs.md §2.2 keys,
in send order; built by cicero.reports.directorate) and `done_ratio` (a ratio per report key;
defaults of jobs.md §4).
"""

from __future__ import annotations

from typing import Any

from cicero.db.outbox import enqueue
from cicero.db.recaps import ClientRow, client, client_names, log_recaps
from cicero.domain.delivery.outbox import MessageKind
from cicero.domain.timezone import wib_date
from cicero.jobs.params import batch_for, job_params
from cicero.jobs.registry import JobContext
from cicero.reports.batch import recipients
from cicero.reports.directorate import (
    REPORTS,
    DirectorateReports,
    add_outputs,
    build_files,
    kasatker_letter,
)


def _targets(d: ClientRow, params: dict[str, Any]) -> tuple[list[str], list[str]]:
    fields = {"group": d.group_jid, "super": d.super_wa, "operator": d.operator_wa}
    chosen = [fields[s] for s in params.get("recipients", ["group"]) if s in fields]
    return recipients(*chosen, params.get("numbers", []))


async def directorate_recap(ctx: JobContext) -> str:
    params = job_params(ctx)
    directorate = str(params["directorate"]).upper()
    reports = [str(r) for r in params.get("reports", [])]
    unknown = [r for r in reports if r not in REPORTS]
    if unknown:
        raise ValueError(f"jobs.{ctx.job}.params.reports: unknown {', '.join(unknown)}")
    batch, notes = batch_for(ctx), []
    async with ctx.pool.acquire() as conn, conn.transaction():
        d = await client(conn, directorate)
        if d is None:
            return f"{directorate}: no client row, nothing built"
        run = DirectorateReports(
            conn, d, await client_names(conn), dict(params.get("done_ratio", {})),
            wib_date(ctx.fire_time), ctx.now, kasatker_letter(ctx.job, params),
        )  # fmt: skip
        outputs = [o for r in reports for o in await run.report(r)]
        targets, bad = _targets(d, params)
        notes += [f"bad recipient {b!r}" for b in bad]
        if not targets:
            notes.append(f"{directorate}: no recipients")
        files, failed = build_files(outputs)
        notes += [f"excel failed: {err}" for err in failed]
        for to in targets:
            kind = (
                MessageKind.GROUP_BROADCAST
                if to.endswith("@g.us")
                else MessageKind.DIRECTORATE_PERSONAL
            )
            add_outputs(batch, to, outputs, files, kind)
        await log_recaps(conn, ctx.job, ctx.fire_time, run.entries, ctx.now)
        await enqueue(conn, batch.messages, ctx.now)
    return "; ".join(
        [f"{len(run.entries)} recaps, {len(batch.messages)} messages to {len(targets)}", *notes]
    )
