"""`cmd#args` commands (menus.md §3.5) and `notifwa#on|off`.

An allow-list: a command not in COMMANDS is refused, whatever the sender (the old system
forgot `fetchlikes#`/`fetchcomments#` in its admin gate). Admin DMs only; the dispatcher
authorizes before calling `run`.
"""

import re
from dataclasses import dataclass

from cicero.domain.menus.model import (
    BuildReport,
    ClientInfo,
    DecideDashboardAccount,
    Effect,
    SetOptIn,
    StaffView,
    TriggerFetch,
)

_SHAPE = re.compile(r"^([a-z]+)#(.*)$", re.IGNORECASE | re.DOTALL)
PROCESSING = "⏳ Sedang diproses… Hasil dikirim setelah selesai."


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]


def parse(text: str) -> Command | None:
    m = _SHAPE.match(text.strip())
    if m is None:
        return None
    args = tuple(a.strip() for a in m.group(2).split("#")) if m.group(2).strip() else ()
    return Command(m.group(1).lower(), args)


FETCH = {
    "fetchinsta": ("instagram", "posts"),
    "fetchtiktok": ("tiktok", "posts"),
    "fetchlikes": ("instagram", "likes"),
    "fetchcomments": ("tiktok", "comments"),
}
# menus.md §3.5: `absensilikes#C[#sudah|#belum]` is per content (each of today's posts, who
# did it); `#akumulasi…` is the accumulated recap (jobs.md §3.2/§3.3).
ATTENDANCE = {
    "absensilikes": ("likes", "instagram"),
    "absensikomentar": ("comments", "tiktok"),
}
PERIPHERAL = frozenset(
    {
        "clientinfo", "addnewclient", "updateclient", "removeclient", "transferuser", "sheettransfer",
        "requestinsta", "requesttiktok", "exception", "status",
        "grantaccess", "denyaccess", "dennyaccess", "grantdashsub", "denydashsub", "grantsub", "denysub",
    }
)  # fmt: skip
MODES = {(): ("semua", False), ("sudah",): ("sudah", False), ("belum",): ("belum", False),
         ("akumulasi", "sudah"): ("sudah", True), ("akumulasi", "belum"): ("belum", True),
         ("akumulasi",): ("semua", True)}  # fmt: skip
DASHBOARD = frozenset({"approvedash", "denydash"})
ADMIN_COMMANDS = frozenset(FETCH) | frozenset(ATTENDANCE) | PERIPHERAL | DASHBOARD


def is_admin_command(cmd: Command) -> bool:
    return cmd.name in ADMIN_COMMANDS


def run(cmd: Command, clients: tuple[ClientInfo, ...]) -> list[Effect | str]:
    """Effects (and the reply text) of an authorized admin command."""
    if cmd.name in DASHBOARD:
        return dashboard_decision(cmd)
    if cmd.name in PERIPHERAL:
        return [
            f"Perintah *{cmd.name}#* belum tersedia. Untuk administrasi client ketik *clientrequest*."
        ]
    usage = f"Format: {cmd.name}#KODE_CLIENT" + (
        "[#sudah|#belum|#akumulasi#sudah]" if cmd.name in ATTENDANCE else ""
    )
    if not cmd.args or not cmd.args[0]:
        return [usage]
    cid = cmd.args[0].upper()
    if not any(c.client_id == cid for c in clients):
        return [f"❌ Client *{cid[:40]}* tidak ditemukan."]
    if cmd.name in FETCH:
        platform, what = FETCH[cmd.name]
        return [TriggerFetch(cid, platform, what), PROCESSING]
    mode = MODES.get(tuple(a.lower() for a in cmd.args[1:]))
    if mode is None:
        return [f"❌ Mode tidak dikenal. {usage}"]
    kind, platform = ATTENDANCE[cmd.name]
    key = f"{kind}_attendance" if mode[1] else f"{kind}_per_content"
    return [BuildReport(key, cid, platform, mode[0], cumulative=mode[1]), PROCESSING]


def dashboard_decision(cmd: Command) -> list[Effect | str]:
    """`approvedash#USERNAME[#ROLE[#CLIENT,CLIENT…]]`, `denydash#USERNAME[#alasan]`: the reply
    comes with the decision, once the account is looked up."""
    approve = cmd.name == "approvedash"
    usage = (
        "Format: approvedash#USERNAME[#PERAN[#CLIENT,CLIENT]]"
        if approve
        else "Format: denydash#USERNAME[#alasan]"
    )
    if not cmd.args or not cmd.args[0]:
        return [usage]
    username = cmd.args[0].lower()[:64]
    if not approve:
        return [DecideDashboardAccount(username, False, reason="#".join(cmd.args[1:])[:500])]
    role = cmd.args[1].lower()[:32] if len(cmd.args) > 1 and cmd.args[1] else None
    clients = (
        tuple(c.strip().upper()[:40] for c in cmd.args[2].split(",") if c.strip())
        if len(cmd.args) > 2
        else None
    )
    return [DecideDashboardAccount(username, True, role, clients)]


_ON = frozenset({"on", "ya", "yes", "true", "1", "aktif"})
_OFF = frozenset({"off", "tidak", "no", "false", "0", "nonaktif"})


def notifwa(cmd: Command, me: StaffView | None) -> list[Effect | str]:
    value = cmd.args[0].lower() if cmd.args else ""
    if value not in _ON | _OFF:
        return ["Format: *notifwa#on* atau *notifwa#off*."]
    if me is None:
        return ["Nomor Anda belum terdaftar. Ketik *userrequest* untuk menghubungkan NRP/NIP Anda."]
    on = value in _ON
    return [
        SetOptIn(me.nrp, on),
        f"✅ Notifikasi WhatsApp {'diaktifkan' if on else 'dinonaktifkan'}.",
    ]
