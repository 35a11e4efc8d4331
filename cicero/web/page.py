"""The status page at `/`: what /healthz says, for a person, and the QR code of a session
waiting to be paired (scan it with WhatsApp → Linked devices). Refreshes itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from cicero.whatsapp import qr

REFRESH_S = 5


def render(body: Mapping[str, Any]) -> str:
    verdict = "All well" if body["ok"] else "Needs attention"
    problems = body["problems"] or ["none"]
    sections = [
        f"<h1>Cicero {escape(str(body['version']))}: {verdict}</h1>",
        "<h2>Problems</h2>",
        "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>",
        "<h2>WhatsApp sessions</h2>",
        _sessions(body.get("sessions", {})),
        "<h2>Actors</h2>",
        _table(
            ["actor", "state", "restarts", "last error"],
            (
                [name, a.get("state", ""), a.get("restarts", 0), a.get("last_error") or ""]
                for name, a in sorted(body.get("actors", {}).items())
            ),
        ),
        "<h2>Outbox</h2>",
        _table(
            ["session", "rows by status"],
            (
                [session, ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))]
                for session, counts in sorted(body.get("outbox", {}).items())
            ),
        ),
        "<h2>Jobs</h2>",
        _table(
            ["job", "last fire time", "status", "reason", "next"],
            (
                [
                    job,
                    run.get("fire_time", ""),
                    run.get("status", ""),
                    run.get("reason", ""),
                    ", ".join(body.get("next", {}).get(job, [])[:1]),
                ]
                for job, run in sorted(body.get("last_outcome", {}).items())
            ),
        ),
        "<h2>Upstream</h2>",
        _table(
            ["host", "status", "calls today", "saved today", "budget", "paused until",
             "last error"],
            (
                [
                    name,
                    h["status"],
                    h["calls_today"],
                    h.get("saved_today", 0),
                    h["daily_budget"] or "",
                    h["paused_until"] or "",
                    h["last_error"] or "",
                ]
                for name, h in sorted(body.get("upstream", {}).items())
            ),
        ),
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='{REFRESH_S}'><title>Cicero status</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    )


def _sessions(sessions: Mapping[str, Mapping[str, Any]]) -> str:
    if not sessions:
        return "<p>No session has reported yet.</p>"
    parts = []
    for name, s in sorted(sessions.items()):
        state = f"{s.get('state', '')}" + (f" ({s['reason']})" if s.get("reason") else "")
        parts.append(f"<h3>{escape(name)}: {escape(state)}</h3>")
        if s.get("jid"):
            parts.append(f"<p>Number {escape(str(s['jid']))}</p>")
        if s.get("qr"):
            parts.append("<p>Scan with WhatsApp → Linked devices → Link a device:</p>")
            image = qr.render(str(s["qr"]))
            parts.append(f"<img alt='pairing QR code' src='{image.svg_data_uri}'>")
    return "".join(parts)


def _table(header: list[str], rows: Iterable[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body or '<tr><td>none</td></tr>'}</table>"
