"""The handlers that have landed. Each entry is a real implementation; a job of
config/cicero.toml missing here is reported as not implemented, never faked."""

from __future__ import annotations

from cicero.domain.runtime.names import WORKER, ingestor, recap_worker
from cicero.jobs.amplify import amplify_recap
from cicero.jobs.amplify_reports import amplify_daily_report, amplify_monthly_excel
from cicero.jobs.backup import db_backup
from cicero.jobs.broadcast import task_broadcast
from cicero.jobs.client_recaps import org_engagement_recap
from cicero.jobs.directorate_recap import directorate_recap
from cicero.jobs.housekeeping import housekeeping
from cicero.jobs.ingest import ingest_instagram, ingest_tiktok
from cicero.jobs.ops_digest import ops_digest
from cicero.jobs.registry import Handler, JobHandler, Registry
from cicero.jobs.reminders import personal_reminder
from cicero.jobs.username_recaps import incomplete_data_recap, username_completeness_recap

IG, TT = "instagram", "tiktok"
DITBINMAS = recap_worker("ditbinmas")


def _reader(key: str, run: Handler, actor: str) -> JobHandler:
    """A job whose runs read engagement (attendance): the ingestion audits before them."""
    return JobHandler(key, run, actor=actor, reads_engagement=True)


def registry() -> Registry:
    return Registry(
        [
            JobHandler("housekeeping", housekeeping, actor=WORKER),
            # One part per platform, each in its own ingestor actor (DESIGN §3).
            JobHandler("ingest_social", ingest_instagram, ingestor(IG), IG),
            JobHandler("ingest_social", ingest_tiktok, ingestor(TT), TT),
            JobHandler("task_broadcast", task_broadcast, actor=WORKER),
            _reader("org_engagement_recap", org_engagement_recap, WORKER),
            _reader("bidhumas_evening_recap", directorate_recap, recap_worker("bidhumas")),
            _reader("ditbinmas_group_recap", directorate_recap, DITBINMAS),
            _reader("ditbinmas_leader_recap", directorate_recap, DITBINMAS),
            _reader("ditbinmas_kasatker_report", directorate_recap, DITBINMAS),
            _reader("ditbinmas_full_recap", directorate_recap, DITBINMAS),
            JobHandler("amplify_recap", amplify_recap, actor=WORKER),
            _reader("personal_reminder", personal_reminder, WORKER),
            JobHandler("db_backup", db_backup, actor="backup"),
            JobHandler("ops_digest", ops_digest, actor=WORKER),
            JobHandler("incomplete_data_recap", incomplete_data_recap, actor=WORKER),
            JobHandler("username_completeness_recap", username_completeness_recap, actor=WORKER),
            JobHandler("amplify_daily_report", amplify_daily_report, actor=WORKER),
            JobHandler("amplify_monthly_excel", amplify_monthly_excel, actor=WORKER),
        ]
    )
