"""A WhatsApp session's state in words for ops (api.md §4 `/status`), from the session
actor's status report: Indonesian, times in WIB."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cicero.domain.timezone import WIB

TERMINAL = frozenset({"logged_out", "replaced", "banned"})  # never reconnect by themselves


def _at(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).astimezone(WIB).strftime("%H.%M")
    except ValueError:
        return ""


def words(report: Mapping[str, Any]) -> str:
    state = str(report.get("state", ""))
    reason = str(report.get("reason") or "")
    if state == "starting":
        return "Memulai koneksi"
    if state == "pairing":
        return "Menunggu pairing"
    if state == "ready":
        since = _at(report.get("since", ""))
        return f"Siap sejak {since}" if since else "Siap"
    if state == "reconnecting":
        attempt = int(report.get("attempt") or 0)
        detail = ", ".join(x for x in (f"percobaan {attempt}" if attempt else "", reason) if x)
        return f"Menyambung ulang ({detail})" if detail else "Menyambung ulang"
    if state == "logged_out":
        return "Keluar: perlu pairing ulang"
    if state == "replaced":
        return "Digantikan koneksi lain"
    if state == "banned":
        until = _at(report.get("until", ""))
        return f"Diblokir sampai {until}" if until else "Diblokir"
    return f"Tidak diketahui ({state})" if state else "Belum melapor"
