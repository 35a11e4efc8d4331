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
        "requestinsta", "requesttiktok", "exception", "status", "approvedash", "denydash",
        "grantaccess", "denyaccess", "dennyaccess", "grantdashsub", "denydashsub", "grantsub", "denysub",
    }
)  # fmt: skip
MODES = {(): ("semua", False), ("sudah",): ("sudah", False), ("belum",): ("belum", False),
         ("akumulasi", "sudah"): ("sudah", True), ("akumulasi", "belum"): ("belum", True),
         ("akumulasi",): ("semua", True)}  # fmt: skip
ADMIN_COMMANDS = frozenset(FETCH) | frozenset(ATTENDANCE) | PERIPHERAL


def is_admin_command(cmd: Command) -> bool:
    return cmd.name in ADMIN_COMMANDS


def run(cmd: Command, clients: tuple[ClientInfo, ...]) -> list[Effect | str]:
    """Effects (and the reply text) of an authorized admin command."""
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
