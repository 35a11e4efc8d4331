"""The dashboard menu (`dashrequest`, menus.md §3.3): a dashboard account's read-only recaps.

`choose_account` (a number holding several directorate accounts) → `main` → `choose_client`
(when the account reaches several clients; an admin types a client id) → report → `main`.
Items: 1 staff with incomplete data, 2 IG link recap, 3 IG likes recap, 4 IG comments recap
(peripheral: Cicero stores no Instagram comments), 5 TikTok comments recap. Every client named
passes through `authz.reach(..., DASHREQUEST)` and, after an account is picked, its own reach.
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
)
from cicero.domain.menus.scope import clients_in_scope
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
from cicero.domain.people.roles import AccountReach
from cicero.domain.text import numbers


class Step(StrEnum):
    CHOOSE_ACCOUNT = "choose_account"
    MAIN = "main"
    CHOOSE_CLIENT = "choose_client"


@dataclass(frozen=True)
class Item:
    label: str
    report: str | None  # None: peripheral, not built
    platform: str | None = None
    mode: str | None = None
    period: str | None = None

    def request(self, client: str) -> BuildReport:
        if self.report is None:
            raise AssertionError(f"peripheral item asked for a report: {self.label}")
        return BuildReport(self.report, client, self.platform, self.mode, self.period)


ITEMS: dict[int, Item] = {
    1: Item("Personil belum lengkap data (IG/TikTok)", "staff_missing_handles"),
    2: Item("Rekap link amplifikasi Instagram hari ini", "amplify_link_recap", period="today"),
    3: Item("Rekap likes Instagram", "likes_attendance", "instagram", "semua"),
    4: Item("Rekap komentar Instagram", None),
    5: Item("Rekap komentar TikTok", "comments_attendance", "tiktok", "semua"),
}
INVALID = "Pilihan tidak valid."
PROCESSING = "⏳ Sedang diproses… Hasil dikirim setelah selesai."
NOT_CARRIED = (
    "ℹ️ Rekap komentar Instagram belum tersedia: Cicero tidak menyimpan komentar Instagram. "
    "Pilih nomor lain."
)


def _account(flow: Flow, ctx: Context) -> AccountReach | None:
    role = flow.get("account")
    return next((a for a in ctx.identity.accounts if a.role_name == role), None)


def _clients(flow: Flow, ctx: Context) -> tuple[ClientInfo, ...]:
    """Directorates first, then satkers; within the picked account's reach, if one was picked."""
    allowed = clients_in_scope(ctx, Menu.DASHREQUEST, None)
    account = _account(flow, ctx)
    if account is not None:
        allowed = tuple(c for c in allowed if c.client_id in account.clients)
    return tuple(sorted(allowed, key=lambda c: (c.type != "DIREKTORAT", c.client_id)))


def _types_id(ctx: Context) -> bool:
    """An admin reaches every client: they type its id instead of reading a long list."""
    return ctx.identity.is_admin


def render(step: Step, flow: Flow, ctx: Context) -> str:
    if step is Step.CHOOSE_ACCOUNT:
        labels = tuple(a.label for a in ctx.identity.accounts)
        return f"Pilih akun dashboard:\n{numbered(labels)}\nKetik *batal* untuk keluar."
    if step is Step.CHOOSE_CLIENT:
        item = ITEMS[int(flow.get("item"))]
        if _types_id(ctx):
            return f"*{item.label}*\nKetik kode client (contoh: POLRES_A).\n{BACK_FOOTER}"
        names = tuple(f"{c.name} ({c.client_id})" for c in _clients(flow, ctx))
        return f"*{item.label}* – pilih client:\n{numbered(names)}\n{BACK_FOOTER}"
    account = _account(flow, ctx)
    title = "📊 *Menu Dashboard*" + (f" – Akun: *{account.label}*" if account else "")
    rows = "\n".join(f"{n}. {i.label}" for n, i in ITEMS.items())
    footer = (
        BACK_FOOTER
        if len(ctx.identity.accounts) > 1 and not ctx.identity.is_admin
        else ("Ketik *batal* untuk keluar.")
    )
    return f"{title}\n{rows}\nBalas dengan nomor pilihan.\n{footer}"


def show(
    state: ChatState, flow: Flow, step: Step, ctx: Context, *pre: Effect | str, **kv: str
) -> Out:
    moved = replace(flow, step=step).put(**kv)
    return stay(state, moved, *pre, render(step, moved, ctx))


def start(state: ChatState, ev: TextIn) -> Out:
    ctx = ev.ctx
    flow = opened(state, Machine.DASHBOARD, Step.MAIN, ctx, ev.at)
    if not ctx.identity.is_admin and len(ctx.identity.accounts) > 1:
        return show(state, flow, Step.CHOOSE_ACCOUNT, ctx)
    if not ctx.identity.is_admin and ctx.identity.accounts:
        flow = flow.put(account=ctx.identity.accounts[0].role_name)
    if not _clients(flow, ctx):
        return close(state, "Tidak ada client aktif dalam cakupan akun dashboard Anda.")
    return show(state, flow, Step.MAIN, ctx)


def _int(text: str) -> int | None:
    return numbers.bounded_int(word(text), numbers.CHOICE_DIGITS)


def on_choose_account(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    accounts, i = ev.ctx.identity.accounts, _int(ev.text)
    if i is None or not 1 <= i <= len(accounts):
        return stay(state, flow, f"{INVALID}\n{render(Step.CHOOSE_ACCOUNT, flow, ev.ctx)}")
    picked = accounts[i - 1]
    return show(
        state, flow, Step.MAIN, ev.ctx, f"✅ Akun {picked.label} dipilih.", account=picked.role_name
    )


def _run(state: ChatState, flow: Flow, item: Item, client: ClientInfo) -> Out:
    done = replace(flow, step=Step.MAIN)
    return stay(
        state, done, item.request(client.client_id), f"{PROCESSING} ({client.name})\n{MENU_FOOTER}"
    )


def on_main(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    i = _int(ev.text)
    item = ITEMS.get(i) if i is not None else None
    if item is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.MAIN, flow, ev.ctx)}")
    if item.report is None:
        return stay(state, flow, NOT_CARRIED)
    clients = _clients(flow, ev.ctx)
    if len(clients) == 1:
        return _run(state, flow, item, clients[0])
    return show(state, flow, Step.CHOOSE_CLIENT, ev.ctx, item=str(i))


def on_choose_client(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    clients, i = _clients(flow, ev.ctx), _int(ev.text)
    picked = [c for c in clients if c.client_id == ev.text.strip().upper()]
    if i is not None and not _types_id(ev.ctx) and 1 <= i <= len(clients):
        picked = [clients[i - 1]]
    if not picked:
        return stay(state, flow, f"{INVALID}\n{render(Step.CHOOSE_CLIENT, flow, ev.ctx)}")
    return _run(state, flow, ITEMS[int(flow.get("item"))], picked[0])


TEXT: dict[Step, TextHandler] = {
    Step.CHOOSE_ACCOUNT: on_choose_account,
    Step.MAIN: on_main,
    Step.CHOOSE_CLIENT: on_choose_client,
}
ANSWER: dict[tuple[Step, type], AnswerHandler] = {}


def back(state: ChatState, flow: Flow, ev: TextIn) -> Out | None:
    step = Step(flow.step)
    if step is Step.CHOOSE_CLIENT:
        return show(state, flow, Step.MAIN, ev.ctx)
    if step is Step.MAIN and not ev.ctx.identity.is_admin and len(ev.ctx.identity.accounts) > 1:
        return show(state, flow, Step.CHOOSE_ACCOUNT, ev.ctx)
    return None


def menu(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    if Step(flow.step) is Step.CHOOSE_ACCOUNT:
        return show(state, flow, Step.CHOOSE_ACCOUNT, ev.ctx)
    return show(state, flow, Step.MAIN, ev.ctx)


def still_allowed(flow: Flow, ctx: Context) -> bool:
    """A picked account must still be the number's; the flow must still reach a client."""
    if flow.get("account") and _account(flow, ctx) is None:
        return False
    return Step(flow.step) is Step.CHOOSE_ACCOUNT or bool(_clients(flow, ctx))
