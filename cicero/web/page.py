"""The status page at `/`, in Indonesian: what /healthz says, for a person, and the QR code
of a session waiting to be paired (scan it with WhatsApp → Perangkat tertaut). Refreshes
itself. Given the public body (`{"status"}` only) it shows the status word and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from cicero.whatsapp import qr

REFRESH_S = 5
VERDICT = {"ok": "Normal", "degraded": "Terganggu", "down": "Mati"}
COLOUR = {"ok": "#1b7f3b", "degraded": "#b26a00", "down": "#b3261e"}


def render(body: Mapping[str, Any]) -> str:
    status = str(body.get("status", "down"))
    verdict = VERDICT.get(status, status)
    head = (
        f"<h1>Cicero: <span style='color:{COLOUR.get(status, '#000')}'>{escape(verdict)}</span>"
        f"</h1>"
    )
    if "problems" not in body:  # the public body: the status word only
        sections = [head, "<p>Rincian hanya untuk ops: buka halaman ini dari mesin Cicero.</p>"]
    else:
        sections = [head, *_detail(body)]
    return (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='{REFRESH_S}'><title>Status Cicero</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    )


def _detail(body: Mapping[str, Any]) -> list[str]:
    problems = body["problems"] or ["tidak ada"]
    return [
        f"<p>Versi {escape(str(body.get('version', '')))}, "
        f"waktu {escape(str(body.get('time', '')))}</p>",
        "<h2>Masalah</h2>",
        "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>",
        "<h2>Sesi WhatsApp</h2>",
        _sessions(body.get("sessions", {})),
        "<h2>Aktor</h2>",
        _table(
            ["aktor", "keadaan", "dimulai ulang", "galat terakhir"],
            (
                [name, a.get("state", ""), a.get("restarts", 0), a.get("last_error") or ""]
                for name, a in sorted(body.get("actors", {}).items())
            ),
        ),
        "<h2>Antrean pesan (outbox)</h2>",
        _table(
            ["sesi", "baris per status"],
            (
                [
                    session,
                    ", ".join(
                        f"{k}: {v}"
                        for k, v in sorted(counts.items())
                        if k not in ("oldest_pending", "oldest_pending_age_s", "dead_recent")
                    ),
                ]
                for session, counts in sorted(body.get("outbox", {}).items())
            ),
        ),
        "<h2>Jadwal</h2>",
        _table(
            ["jadwal", "waktu jadwal terakhir", "status", "alasan", "berikutnya"],
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
            ["host", "status", "panggilan hari ini", "anggaran", "jeda sampai", "galat terakhir"],
            (
                [
                    name,
                    h["status"],
                    h["calls_today"],
                    h["daily_budget"] or "",
                    h["paused_until"] or "",
                    h["last_error"] or "",
                ]
                for name, h in sorted(body.get("upstream", {}).items())
            ),
        ),
    ]


def _sessions(sessions: Mapping[str, Mapping[str, Any]]) -> str:
    if not sessions:
        return "<p>Belum ada sesi yang melapor.</p>"
    parts = []
    for name, s in sorted(sessions.items()):
        parts.append(f"<h3>{escape(str(s.get('words') or name))}</h3>")
        if s.get("jid"):
            parts.append(f"<p>Nomor {escape(str(s['jid']))}</p>")
        if s.get("pair_code"):
            who = f" untuk {s['pair_code_for']}" if s.get("pair_code_for") else ""
            parts.append(
                f"<p>Kode pairing{escape(str(who))}: <b>{escape(str(s['pair_code']))}</b> "
                "(WhatsApp → Perangkat tertaut → Tautkan dengan nomor telepon)</p>"
            )
        if s.get("qr"):  # present only while a login window is open
            parts.append("<p>Pindai dengan WhatsApp → Perangkat tertaut → Tautkan perangkat:</p>")
            image = qr.render(str(s["qr"]))
            parts.append(f"<img alt='kode QR pairing {escape(name)}' src='{image.svg_data_uri}'>")
    return "".join(parts)


def _table(header: list[str], rows: Iterable[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body or '<tr><td>tidak ada</td></tr>'}</table>"
