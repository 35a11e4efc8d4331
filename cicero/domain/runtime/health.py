"""What /healthz says: `ok`, `degraded` or `down`, and every problem in Indonesian words.

Pure: the web side gathers the facts (the root supervisor's snapshot and its age, what the
database answered, the outbox, the upstream hosts, the jobs' latest outcomes) and the time;
`verdict` decides.

* **down** (HTTP 503): nothing can work. The database does not answer, or the root
  supervisor is silent, has not reported yet, or gave up (escalated).
* **degraded** (HTTP 200, so a probe restarts nothing): the service runs but ops must look.
  A WhatsApp session that is not ready (starting, pairing, reconnecting, logged out,
  replaced, banned) or that keeps dropping; an actor restarting or left down; `in_doubt`
  rows (a person must decide); rows that died in the last day; a row pending too long; a
  job whose latest run in the last day failed; an upstream host failing (an API key
  refused included) or past its daily budget. A host paused after a 429 waits it out by
  itself: shown, not a problem.
* **ok**: none of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cicero.domain.runtime.names import is_session_actor, session_actor, session_of
from cicero.domain.timezone import to_wib

STALE_AFTER_S = 10.0  # the web actor asks the supervisor every second
RECENT = timedelta(hours=24)  # dead rows and failed runs older than this are history
PENDING_TOO_LONG = timedelta(minutes=30)  # the throttle drains a day's broadcast sooner
FLAPPING = (3, timedelta(hours=1))  # this many losses of a ready session within this long


class Status(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True)
class Problem:
    check: str  # database | supervisor | actors | sessions | outbox | jobs | upstream
    words: str  # one line, Indonesian, for the status page and the terminal
    down: bool = False  # True: nothing can work (503)


@dataclass(frozen=True)
class Facts:
    """What the web side knows at `now`. Times inside mappings are ISO 8601 strings."""

    now: datetime
    snapshot: Mapping[str, Any] | None  # the root supervisor's; None before its first
    snapshot_age_s: float = 0.0
    database_error: str | None = None  # None: the database answered
    # per session: counts by status, `oldest_pending` (ISO) and `dead_recent` (last day)
    outbox: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    upstream: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # host views
    jobs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # latest outcome each


@dataclass(frozen=True)
class Health:
    status: Status
    problems: tuple[Problem, ...]
    checks: Mapping[str, Any]  # spec's `checks` object: one short value per area

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def http_status(self) -> int:
        return 503 if self.status is Status.DOWN else 200

    @property
    def words(self) -> list[str]:
        return [p.words for p in self.problems]


def verdict(facts: Facts) -> Health:
    problems: list[Problem] = []
    snapshot = facts.snapshot or {}
    problems += _database(facts)
    supervisor, found = _supervisor(facts)
    problems += found
    if facts.snapshot is not None:
        problems += _actors(snapshot)
        problems += _sessions(snapshot, facts.now)
    problems += _outbox(facts.outbox, facts.now)
    problems += _jobs(facts.jobs, facts.now)
    problems += _upstream(facts.upstream, facts.now)
    if any(p.down for p in problems):
        status = Status.DOWN
    elif problems:
        status = Status.DEGRADED
    else:
        status = Status.OK
    checks = {
        "database": "down" if facts.database_error is not None else "ok",
        "supervisor": supervisor,
        "sessions": {
            name: report.get("state", "unknown") for name, report in session_reports(snapshot)
        },
        "outbox": outbox_totals(facts.outbox, facts.now),
        "upstream": {
            name: h.get("status", "unknown") for name, h in sorted(facts.upstream.items())
        },
    }
    return Health(status, tuple(problems), checks)


# --- the areas -----------------------------------------------------------------------------


def _database(facts: Facts) -> list[Problem]:
    if facts.database_error is None:
        return []
    return [
        _down("database", f"database: tidak dapat dihubungi ({_one_line(facts.database_error)})")
    ]


def _supervisor(facts: Facts) -> tuple[str, list[Problem]]:
    if facts.snapshot is None:
        return "starting", [_down("supervisor", "supervisor: belum melapor (layanan sedang mulai)")]
    if facts.snapshot.get("escalated"):
        why = _one_line(str(facts.snapshot["escalated"]))
        return "escalated", [_down("supervisor", f"supervisor: menyerah, layanan berhenti: {why}")]
    if facts.snapshot_age_s > STALE_AFTER_S:
        words = f"supervisor: tidak menjawab selama {facts.snapshot_age_s:.0f} detik"
        return "silent", [_down("supervisor", words)]
    return "ok", []


def _actors(snapshot: Mapping[str, Any]) -> list[Problem]:
    out = []
    for name, actor in sorted(snapshot.get("actors", {}).items()):
        state = actor.get("state")
        if state == "restarting":
            error = _one_line(actor.get("last_error") or "keluar tanpa alasan")
            out.append(Problem("actors", f"aktor {name}: dimulai ulang setelah galat: {error}"))
        elif state in ("down", "stopped") and actor.get("restart_type") == "permanent":
            out.append(Problem("actors", f"aktor {name}: berhenti ({state})"))
    return out


def session_reports(snapshot: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, latest report) of every session actor, in name order; an actor that has not
    reported yet appears with an empty report."""
    reports = snapshot.get("reports", {})
    names = {session_of(n) for n in snapshot.get("actors", {}) if is_session_actor(n)}
    names |= {session_of(n) for n in reports if is_session_actor(n)}
    return [(name, reports.get(session_actor(name), {})) for name in sorted(names)]


def session_words(name: str, report: Mapping[str, Any], now: datetime) -> str:
    """A session's state as ops read it (`gateway: menyambung ulang sejak 15.10, …`)."""
    state = report.get("state")
    reason = _one_line(str(report.get("reason") or ""))
    since = _since(report.get("since"), now)
    if state == "ready":
        return f"{name}: siap{since}"
    if state == "starting":
        return f"{name}: memulai koneksi{since}"
    if state == "pairing":
        return f"{name}: menunggu pairing{since} (pindai QR di halaman status atau `cicero pair`)"
    if state == "reconnecting":
        attempt = int(report.get("attempt") or 0)
        tried = f", percobaan {attempt}" if attempt > 0 else ""
        return f"{name}: menyambung ulang{since}{tried}" + (f": {reason}" if reason else "")
    if state == "logged_out":
        return f"{name}: keluar, perlu pairing ulang" + (f" ({reason})" if reason else "")
    if state == "replaced":
        return f"{name}: digantikan koneksi lain, perlu pairing ulang"
    if state == "banned":
        until = _instant(report.get("until"))
        when = f" sampai {_clock(until, now)}" if until is not None else ", perlu pairing ulang"
        return f"{name}: diblokir{when}" + (f" ({reason})" if reason else "")
    return f"{name}: belum melapor"


def _sessions(snapshot: Mapping[str, Any], now: datetime) -> list[Problem]:
    out = []
    for name, report in session_reports(snapshot):
        if report.get("state") != "ready":
            out.append(Problem("sessions", session_words(name, report, now)))
            continue
        count, within = FLAPPING
        losses = [t for t in map(_instant, report.get("losses", ())) if t and now - t <= within]
        if len(losses) >= count:
            hours = int(within.total_seconds() // 3600)
            out.append(
                Problem(
                    "sessions", f"{name}: terputus {len(losses)} kali dalam {hours} jam terakhir"
                )
            )
    return out


def outbox_totals(outbox: Mapping[str, Mapping[str, Any]], now: datetime) -> dict[str, Any]:
    """The spec's `outbox` check: pending rows and the oldest one's age, over all sessions."""
    pending = sum(int(c.get("pending", 0)) for c in outbox.values())
    oldest = [t for t in (_instant(c.get("oldest_pending")) for c in outbox.values()) if t]
    totals: dict[str, Any] = {"pending": pending}
    if oldest:
        totals["oldest_pending_age_s"] = max(0, int((now - min(oldest)).total_seconds()))
    totals["in_doubt"] = sum(int(c.get("in_doubt", 0)) for c in outbox.values())
    totals["dead_recent"] = sum(int(c.get("dead_recent", 0)) for c in outbox.values())
    return totals


def _outbox(outbox: Mapping[str, Mapping[str, Any]], now: datetime) -> list[Problem]:
    out = []
    for session, counts in sorted(outbox.items()):
        if in_doubt := int(counts.get("in_doubt", 0)):
            out.append(Problem("outbox", (
                f"{session}: {in_doubt} pesan diragukan (proses mati saat mengirim): "
                "periksa apakah sudah sampai, lalu tandai terkirim atau kirim ulang"
            )))  # fmt: skip
        if dead := int(counts.get("dead_recent", 0)):
            out.append(
                Problem("outbox", f"{session}: {dead} pesan gagal terkirim dalam 24 jam terakhir")
            )
        oldest = _instant(counts.get("oldest_pending"))
        if oldest is not None and now - oldest > PENDING_TOO_LONG:
            waited = int((now - oldest).total_seconds() // 60)
            out.append(Problem("outbox", (
                f"{session}: {counts.get('pending', 0)} pesan menunggu, yang tertua sejak "
                f"{_clock(oldest, now)} ({waited} menit)"
            )))  # fmt: skip
    return out


def _jobs(jobs: Mapping[str, Mapping[str, Any]], now: datetime) -> list[Problem]:
    out = []
    for job, run in sorted(jobs.items()):
        fire = _instant(run.get("fire_time"))
        if run.get("status") != "failed" or fire is None or now - fire > RECENT:
            continue
        reason = _one_line(str(run.get("reason") or ""))
        out.append(
            Problem(
                "jobs",
                f"jadwal {job} {_clock(fire, now)}: gagal" + (f": {reason}" if reason else ""),
            )
        )
    return out


def _upstream(hosts: Mapping[str, Mapping[str, Any]], now: datetime) -> list[Problem]:
    out = []
    for name, host in sorted(hosts.items()):
        status = host.get("status")
        if status == "failing":
            error = _one_line(str(host.get("last_error") or ""))
            at = _instant(host.get("last_error_at"))
            what = "kunci API ditolak" if error.startswith("auth") else "gagal"
            when = f" sejak {_clock(at, now)}" if at is not None else ""
            out.append(Problem("upstream", f"upstream {name}: {what}{when}: {error}"))
        elif status == "over_budget":
            calls, budget = host.get("calls_today"), host.get("daily_budget")
            out.append(
                Problem(
                    "upstream", f"upstream {name}: batas panggilan harian habis ({calls}/{budget})"
                )
            )
    return out


# --- words ---------------------------------------------------------------------------------


def _down(check: str, words: str) -> Problem:
    return Problem(check, words, down=True)


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _clock(t: datetime, now: datetime) -> str:
    """15.10 today (WIB), 23/11 15.10 on another day."""
    local, today = to_wib(t), to_wib(now)
    hm = local.strftime("%H.%M")
    return hm if local.date() == today.date() else f"{local.strftime('%d/%m')} {hm}"


def _since(value: Any, now: datetime) -> str:
    t = _instant(value)
    return f" sejak {_clock(t, now)}" if t is not None else ""
