"""The directorate menu (`dirrequest`, menus.md §3.2).

The option numbers are a contract: each maps to a report key, and scheduled jobs build the
same keys through the same registry. This machine only names the report (`BuildReport`) or
the fetch (`TriggerFetch`); rendering is the recaps' business.
"""

from dataclasses import dataclass, replace
from enum import StrEnum

from cicero.domain.auth.authz import Menu
from cicero.domain.menus.fields import numbered, word
from cicero.domain.menus.model import (
    BuildReport,
    ChatState,
    ClientInfo,
    Context,
    Effect,
    Flow,
    Machine,
    TextIn,
    TriggerFetch,
)
from cicero.domain.menus.scope import chosen_client, clients_in_scope
from cicero.domain.menus.transitions import (
    BACK_FOOTER,
    MENU_FOOTER,
    AnswerHandler,
    Out,
    TextHandler,
    close,
    opened,
    stay,
)
from cicero.domain.text import numbers


class Step(StrEnum):
    CHOOSE_CLIENT = "choose_client"
    MAIN = "main"
    PERIOD = "period"


PERIODS_22 = (
    ("today", "Hari ini"),
    ("yesterday", "Kemarin"),
    ("this_week", "Minggu ini"),
    ("last_week", "Minggu lalu"),
    ("this_month", "Bulan ini"),
    ("last_month", "Bulan lalu"),
)
PERIODS_30 = (
    ("today", "Hari ini"),
    ("week", "Minggu ini"),
    ("month", "Bulan ini"),
    ("all", "Semua"),
)
PERIODS_34 = (("daily", "Harian"), ("weekly", "Mingguan (Senin–Minggu)"), ("monthly", "Bulanan"))


@dataclass(frozen=True)
class Option:
    label: str
    report: str | None = None  # report key built for the chosen client
    platform: str | None = None
    fetch: str | None = None  # fetch first: "instagram", "tiktok" or "all"
    periods: tuple[tuple[str, str], ...] = ()
    essential: bool = True


OPTIONS: dict[int, Option] = {
    1: Option("Kelengkapan data personil per satker", "staff_completeness"),
    2: Option("Ringkasan eksekutif kelengkapan data", essential=False),
    3: Option("Personil belum mengisi IG/TikTok per unit", "staff_missing_handles"),
    4: Option("Matriks update satker (Excel)", essential=False),
    5: Option("Absensi likes IG (rinci)", "likes_full", "instagram"),
    6: Option("Absensi likes IG (ringkas)", "likes_simple", "instagram"),
    7: Option("Absensi likes IG per satker", "likes_satker_summary", "instagram"),
    8: Option("Absensi komentar TikTok per satker", "comments_satker_summary", "tiktok"),
    9: Option("Absensi komentar TikTok (ringkas)", "comments_simple", "tiktok"),
    10: Option("Absensi komentar TikTok (rinci)", "comments_full", "tiktok"),
    11: Option("Absensi registrasi dashboard", essential=False),
    12: Option("Ambil post & likes IG → rekap", "likes_full", "instagram", fetch="instagram"),
    13: Option("Perbarui likes IG", None, "instagram", fetch="instagram"),
    14: Option("Ambil post & komentar TikTok → rekap", "comments_full", "tiktok", fetch="tiktok"),
    15: Option("Perbarui komentar TikTok", None, "tiktok", fetch="tiktok"),
    16: Option("Ambil semua + pesan tugas", "task_message", fetch="all"),
    17: Option("Laporan harian IG", "daily_report_instagram", "instagram"),
    18: Option("Laporan harian TikTok", "daily_report_tiktok", "tiktok"),
    19: Option("Likes IG hari ini (Excel)", "likes_today_xlsx", "instagram"),
    20: Option("Komentar TikTok hari ini (Excel)", "comments_today_xlsx", "tiktok"),
    21: Option("Laporan harian gabungan", "daily_engagement"),
    22: Option("Ranking engagement unit (Excel)", "engagement_ranking_xlsx", periods=PERIODS_22),
    **{n: Option(f"Laporan tambahan {n}", essential=False) for n in range(23, 28)},
    28: Option("Likes per konten (Excel)", "likes_per_content_xlsx", "instagram"),
    29: Option("Komentar per konten (Excel)", "comments_per_content_xlsx", "tiktok"),
    30: Option("Laporan Kasatker", "kasatker_report", periods=PERIODS_30),
    **{n: Option(f"Laporan tambahan {n}", essential=False) for n in range(31, 34)},
    34: Option("Kasat Binmas – likes IG", "kasat_binmas_likes", "instagram", periods=PERIODS_34),
    35: Option(
        "Kasat Binmas – komentar TikTok", "kasat_binmas_comments", "tiktok", periods=PERIODS_34
    ),
    **{n: Option(f"Laporan tambahan {n}", essential=False) for n in range(36, 46)},
}
INVALID = "Pilihan tidak valid."
PROCESSING = "⏳ Sedang diproses… Hasil dikirim setelah selesai."


def _clients(ctx: Context) -> tuple[ClientInfo, ...]:
    return clients_in_scope(ctx, Menu.DIRREQUEST, "DIREKTORAT")


def _client(flow: Flow, ctx: Context) -> ClientInfo:
    return chosen_client(flow, ctx, Menu.DIRREQUEST, "DIREKTORAT")


def render(step: Step, flow: Flow, ctx: Context) -> str:
    if step is Step.CHOOSE_CLIENT:
        names = tuple(f"{c.name} ({c.client_id})" for c in _clients(ctx))
        return f"Pilih client direktorat:\n{numbered(names)}\nKetik *batal* untuk keluar."
    if step is Step.PERIOD:
        opt = OPTIONS[int(flow.get("option"))]
        return f"Pilih periode:\n{numbered(tuple(p[1] for p in opt.periods))}\n{BACK_FOOTER}"
    rows = "\n".join(f"{n}. {o.label}" for n, o in OPTIONS.items() if o.essential)
    footer = BACK_FOOTER if len(_clients(ctx)) > 1 else "Ketik *batal* untuk keluar."
    return f"Client: *{_client(flow, ctx).name}*\n{rows}\nBalas dengan nomor pilihan.\n{footer}"


def show(
    state: ChatState, flow: Flow, step: Step, ctx: Context, *pre: Effect | str, **kv: str
) -> Out:
    moved = replace(flow, step=step).put(**kv)
    return stay(state, moved, *pre, render(step, moved, ctx))


def start(state: ChatState, ev: TextIn) -> Out:
    clients = _clients(ev.ctx)
    flow = opened(state, Machine.DIRECTORATE, Step.CHOOSE_CLIENT, ev.ctx, ev.at)
    if not clients:
        return close(state, "Tidak ada client direktorat dalam cakupan Anda.")
    if len(clients) == 1:
        return show(state, flow, Step.MAIN, ev.ctx, client=clients[0].client_id)
    return show(state, flow, Step.CHOOSE_CLIENT, ev.ctx)


def _int(text: str) -> int | None:
    return numbers.bounded_int(word(text), numbers.CHOICE_DIGITS)


def on_choose_client(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    clients, i = _clients(ev.ctx), _int(ev.text)
    picked = [c for c in clients if c.client_id == ev.text.strip().upper()]
    if i is not None and 1 <= i <= len(clients):
        picked = [clients[i - 1]]
    if not picked:
        return stay(state, flow, f"{INVALID}\n{render(Step.CHOOSE_CLIENT, flow, ev.ctx)}")
    c = picked[0]
    return show(state, flow, Step.MAIN, ev.ctx, f"✅ Client {c.name} dipilih.", client=c.client_id)


def effects_for(opt: Option, client: str, period: str | None) -> list[Effect]:
    if opt.fetch is not None:
        return [TriggerFetch(client, opt.fetch, "all" if opt.report else "engagement", opt.report)]
    if opt.report is None:
        raise AssertionError(f"essential option without a report: {opt}")
    return [BuildReport(opt.report, client, opt.platform, period=period)]


def _run(state: ChatState, flow: Flow, opt: Option, period: str | None) -> Out:
    done = replace(flow, step=Step.MAIN)
    return stay(
        state, done, *effects_for(opt, flow.get("client"), period), f"{PROCESSING}\n{MENU_FOOTER}"
    )


def on_main(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    i = _int(ev.text)
    opt = OPTIONS.get(i) if i is not None else None
    if opt is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.MAIN, flow, ev.ctx)}")
    if not opt.essential:
        return stay(state, flow, "Fitur ini belum tersedia. Pilih nomor lain.")
    if opt.periods:
        return show(state, flow, Step.PERIOD, ev.ctx, option=str(i))
    return _run(state, flow, opt, None)


def on_period(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    opt, i = OPTIONS[int(flow.get("option"))], _int(ev.text)
    if i is None or not 1 <= i <= len(opt.periods):
        return stay(state, flow, f"{INVALID}\n{render(Step.PERIOD, flow, ev.ctx)}")
    return _run(state, flow, opt, opt.periods[i - 1][0])


TEXT: dict[Step, TextHandler] = {
    Step.CHOOSE_CLIENT: on_choose_client,
    Step.MAIN: on_main,
    Step.PERIOD: on_period,
}
ANSWER: dict[tuple[Step, type], AnswerHandler] = {}


def back(state: ChatState, flow: Flow, ev: TextIn) -> Out | None:
    step = Step(flow.step)
    if step is Step.PERIOD:
        return show(state, flow, Step.MAIN, ev.ctx)
    if step is Step.MAIN and len(_clients(ev.ctx)) > 1:
        return show(state, flow, Step.CHOOSE_CLIENT, ev.ctx)
    return None


def menu(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    return show(state, flow, Step.MAIN if flow.get("client") else Step.CHOOSE_CLIENT, ev.ctx)


def still_allowed(flow: Flow, ctx: Context) -> bool:
    cid = flow.get("client")
    return not cid or any(c.client_id == cid for c in _clients(ctx))
