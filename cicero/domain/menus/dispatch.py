"""`handle(state, event) -> (state, effects)`: menus.md §2's routing order for one chat.

(3) `batal` → (4) entry keyword, authorized → (5) open unexpired flow → (6) `#` commands,
`notifwa#` → (7) complaint → (8) `user` session starts self-service → (9) one hint a day.
Steps (1)–(2) (broadcasts, rate limit, non-text) are the router's. All replies of one step
are joined into one `Reply`, clamped to REPLY_LIMIT.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from cicero.domain.auth.authz import Menu, may_open
from cicero.domain.menus import (
    client_admin,
    commands,
    complaint_flow,
    complaints,
    dashboard,
    directorate,
    operator,
    selfservice,
)
from cicero.domain.menus.model import (
    Answered,
    ChatState,
    Context,
    Effect,
    Event,
    Flow,
    Machine,
    MenuMisuse,
    Reply,
    Session,
    TextIn,
    Tick,
    clip,
)
from cicero.domain.menus.transitions import ANSWER_OF, AnswerHandler, Out, TextHandler, close
from cicero.domain.people.roles import Role

_Step = TypeVar("_Step", bound=StrEnum)

KEYWORDS: dict[str, Menu] = {
    "oprrequest": Menu.OPRREQUEST,
    "dirrequest": Menu.DIRREQUEST,
    "dashrequest": Menu.DASHREQUEST,
    "clientrequest": Menu.CLIENTREQUEST,
    "userrequest": Menu.SELF_SERVICE,
    "wabot": Menu.WABOT,
    "wabotditbinmas": Menu.WABOT,
    "ditbinmas": Menu.WABOT,
}


class MachineModule(Protocol[_Step]):
    """What a machine module offers the dispatcher; `back` and `menu` are optional
    (looked up by name). `_Step` is the module's own `Step` enum."""

    @property
    def Step(self) -> Callable[[str], _Step]: ...
    @property
    def TEXT(self) -> Mapping[_Step, TextHandler]: ...
    @property
    def ANSWER(self) -> Mapping[tuple[_Step, type], AnswerHandler]: ...
    def still_allowed(self, flow: Flow, ctx: Context) -> bool: ...


# Each module has its own Step enum: the table holds them all, so its step type is open.
MACHINES: dict[Machine, MachineModule[Any]] = {
    Machine.USER: selfservice,
    Machine.OPERATOR: operator,
    Machine.DIRECTORATE: directorate,
    Machine.DASHBOARD: dashboard,
    Machine.CLIENT_ADMIN: client_admin,
    Machine.COMPLAINT: complaint_flow,
}
MACHINE_MENU = {
    Machine.USER: Menu.SELF_SERVICE,
    Machine.OPERATOR: Menu.OPRREQUEST,
    Machine.DIRECTORATE: Menu.DIRREQUEST,
    Machine.DASHBOARD: Menu.DASHREQUEST,
    Machine.CLIENT_ADMIN: Menu.CLIENTREQUEST,
    Machine.COMPLAINT: Menu.COMPLAINT,
}
TITLE = {
    Machine.USER: "Menu User",
    Machine.OPERATOR: "Menu Operator",
    Machine.DIRECTORATE: "Menu Direktorat",
    Machine.DASHBOARD: "Menu Dashboard",
    Machine.CLIENT_ADMIN: "Menu Client",
    Machine.COMPLAINT: "Menu Komplain",
}
STARTERS = {
    Menu.SELF_SERVICE: selfservice.start,
    Menu.OPRREQUEST: operator.start,
    Menu.DIRREQUEST: directorate.start,
    Menu.DASHREQUEST: dashboard.start,
    Menu.CLIENTREQUEST: client_admin.start,
}
# Peripheral menus (menus.md §3.6) are not built: a polite pointer instead of a flow.
NOT_BUILT = {
    Menu.WABOT: (
        "ℹ️ Menu *wabot* (ringkasan dan pengaturan job Ditbinmas) belum tersedia di Cicero. "
        "Untuk laporan direktorat ketik *dirrequest*; pengaturan job lewat admin."
    ),
}
CANCEL = frozenset({"batal", "cancel"})
BACK = frozenset({"0", "kembali", "back"})
ACKS = frozenset({"ok", "oke", "okay", "siap", "terima kasih", "terimakasih", "makasih", "thanks"})
REFUSAL = "❌ Anda tidak memiliki akses ke menu ini."


def handle(state: ChatState, event: Event) -> tuple[ChatState, list[Effect]]:
    if isinstance(event, TextIn):
        out = _on_text(state, event)
    elif isinstance(event, Answered):
        out = _on_answer(state, event)
    elif isinstance(event, Tick):
        out = _on_tick(state, event)
    else:
        raise MenuMisuse(f"unknown event {type(event).__name__}")
    return _one_reply(*out)


def _one_reply(state: ChatState, effects: list[Effect]) -> tuple[ChatState, list[Effect]]:
    texts = [e.text for e in effects if isinstance(e, Reply)]
    rest: list[Effect] = [e for e in effects if not isinstance(e, Reply)]
    if not texts:
        return state, rest
    return state, [*rest, Reply(clip("\n\n".join(texts)))]


def _expired(state: ChatState, at: datetime) -> bool:
    return state.flow is not None and at >= state.flow.expires_at


def _on_tick(state: ChatState, ev: Tick) -> Out:
    flow = state.flow
    if flow is None or not _expired(state, ev.at):
        return state, []
    if flow.awaiting is not None:
        raise MenuMisuse(f"{flow.machine}/{flow.step} still awaiting {flow.awaiting} at a tick")
    keyword = "userrequest" if flow.machine is Machine.COMPLAINT else flow.machine.value
    if flow.machine is Machine.COMPLAINT:
        return close(state, "⏰ Sesi berakhir. Komplain tidak diproses lebih lanjut.")
    return close(state, f"⏰ Sesi berakhir. Ketik *{keyword}* untuk memulai lagi.")


def _on_answer(state: ChatState, ev: Answered) -> Out:
    flow = state.flow
    if flow is None or flow.awaiting is None:
        raise MenuMisuse(f"answer {type(ev.answer).__name__} with nothing asked")
    expected = {q.__name__: a for q, a in ANSWER_OF.items()}.get(flow.awaiting)
    if expected is not type(ev.answer):
        raise MenuMisuse(f"{type(ev.answer).__name__} answers {flow.awaiting}?")
    flow = replace(flow, awaiting=None)
    try:
        on = MACHINES[flow.machine].ANSWER[flow.step, type(ev.answer)]
    except KeyError:
        raise MenuMisuse(f"{type(ev.answer).__name__} in {flow.machine}/{flow.step}") from None
    return _slide(*on(state, flow, ev, ev.answer), ev.at, ev.ctx)


def _slide(state: ChatState, effects: list[Effect], at: datetime, ctx: Context) -> Out:
    """An accepted message restarts the idle timeout."""
    if state.flow is not None:
        state = replace(state, flow=replace(state.flow, expires_at=at + ctx.config.idle_timeout))
    return state, effects


def _on_text(state: ChatState, ev: TextIn) -> Out:
    ctx, text = ev.ctx, ev.text
    if state.flow is not None and state.flow.awaiting is not None:
        raise MenuMisuse(f"text while awaiting {state.flow.awaiting}")
    if _expired(state, ev.at):
        state = replace(state, flow=None)  # the sweep missed it: route as if none existed
    if ctx.in_group or ctx.session is Session.GATEWAY:
        return _on_group(state, ev)
    w = " ".join(text.split()).lower()
    flow = state.flow
    if w in CANCEL:
        if flow is None:
            return state, []
        return close(state, f"✅ {TITLE[flow.machine]} ditutup.")
    menu = KEYWORDS.get(w.replace(" ", ""))
    if menu is not None:
        return _enter(state, ev, menu, w.replace(" ", ""))
    if flow is not None:
        return _in_flow(state, ev)
    cmd = commands.parse(text)
    if cmd is not None:
        if cmd.name == "notifwa":
            return state, _effects(commands.notifwa(cmd, ctx.me))
        if commands.is_admin_command(cmd):
            if not may_open(ctx.identity, Menu.ADMIN_COMMAND):
                return _refuse(state, ev, cmd.name + "#")
            return state, _effects(commands.run(cmd, ctx.clients))
    if complaints.is_complaint(text) and may_open(ctx.identity, Menu.COMPLAINT):
        return _slide(*complaint_flow.start(state, ev), ev.at, ctx)
    if ctx.session is Session.USER:
        if _is_ack(w):
            return state, []
        return _slide(*selfservice.start(state, ev), ev.at, ctx)
    return _hint(state, ev)


def _effects(items: list[Effect | str]) -> list[Effect]:
    return [Reply(i) if isinstance(i, str) else i for i in items]


def _on_group(state: ChatState, ev: TextIn) -> Out:
    """Allowed groups (gateway): complaint intake only; every other text is silent."""
    if ev.ctx.in_group and ev.ctx.session is Session.GATEWAY and complaints.is_complaint(ev.text):
        return _slide(*complaint_flow.start(state, ev), ev.at, ev.ctx)
    return state, []


def _enter(state: ChatState, ev: TextIn, menu: Menu, keyword: str) -> Out:
    ctx = ev.ctx
    if not may_open(ctx.identity, menu):
        return _refuse(state, ev, keyword)
    if (
        menu is Menu.SELF_SERVICE
        and ctx.session is Session.OPERATOR
        and ctx.config.user_session_number
    ):
        return state, [
            Reply(
                f"Untuk data pribadi, chat *{ctx.config.user_session_number}* dan ketik *userrequest*."
            )
        ]
    if menu in NOT_BUILT:
        return state, [Reply(NOT_BUILT[menu])]
    starter = STARTERS.get(menu)
    if starter is None:
        return state, [Reply(f"Menu *{keyword}* belum tersedia di versi ini.")]
    return _slide(*starter(replace(state, flow=None), ev), ev.at, ctx)


def _refuse(state: ChatState, ev: TextIn, keyword: str) -> Out:
    """The refusal is said once per chat and keyword per hour; the open flow stays."""
    last = dict(state.refusals).get(keyword)
    if last is not None and ev.at - last < ev.ctx.config.refusal_every:
        return state, []
    kept = tuple(
        (k, t)
        for k, t in state.refusals
        if ev.at - t < ev.ctx.config.refusal_every and k != keyword
    )
    return replace(state, refusals=(*kept, (keyword, ev.at))), [Reply(REFUSAL)]


def _in_flow(state: ChatState, ev: TextIn) -> Out:
    flow = state.flow
    if flow is None:
        raise MenuMisuse("no flow")
    mod, ctx, w = MACHINES[flow.machine], ev.ctx, " ".join(ev.text.split()).lower()
    if not may_open(ctx.identity, MACHINE_MENU[flow.machine]) or not mod.still_allowed(flow, ctx):
        return close(state, f"⚠️ {TITLE[flow.machine]} ditutup karena akses atau data Anda berubah.")
    if flow.machine is Machine.USER:
        flow = selfservice.refreshed(flow, ctx)
        state = replace(state, flow=flow)
    back: Callable[[ChatState, Flow, TextIn], Out | None] | None = getattr(mod, "back", None)
    menu: TextHandler | None = getattr(mod, "menu", None)
    if w in BACK and back is not None and flow.step not in _FREE_TEXT.get(flow.machine, ()):
        out = back(state, flow, ev)
        if out is None:
            return state, [Reply("Tidak ada menu sebelumnya. Ketik *batal* untuk keluar.")]
        return _slide(*out, ev.at, ctx)
    if w == "menu" and menu is not None:
        return _slide(*menu(state, flow, ev), ev.at, ctx)
    try:
        on = mod.TEXT[mod.Step(flow.step)]
    except (KeyError, ValueError):
        raise MenuMisuse(f"text in {flow.machine}/{flow.step}") from None
    return _slide(*on(state, flow, ev), ev.at, ctx)


# Steps where `0`/`back` are data, not navigation (a name, a free-text solution).
_FREE_TEXT = {
    Machine.OPERATOR: ("add_name", "add_position", "edit_value"),
    Machine.CLIENT_ADMIN: ("user_value", "bulk_text", "complaint_text"),
    Machine.COMPLAINT: ("solution",),
}


def _is_ack(w: str) -> bool:
    return w in ACKS or (w != "" and not any(c.isalnum() for c in w))


def _hint(state: ChatState, ev: TextIn) -> Out:
    ctx = ev.ctx
    if state.hint_sent_at is not None and ev.at - state.hint_sent_at < ctx.config.hint_every:
        return state, []
    roles = ctx.identity.roles
    if roles & {Role.ADMIN, Role.OPERATOR, Role.SUPER_ADMIN, Role.DIRECTORATE}:
        allowed = [k for k, m in KEYWORDS.items() if m in STARTERS and may_open(ctx.identity, m)]
        text = "Perintah yang tersedia: " + ", ".join(f"*{k}*" for k in allowed) + "."
    elif ctx.config.user_session_number:
        text = (
            f"Untuk data pribadi, chat *{ctx.config.user_session_number}* dan ketik *userrequest*."
        )
    else:
        text = "Ketik *userrequest* untuk melihat atau memperbarui data Anda."
    return replace(state, hint_sent_at=ev.at), [Reply(text)]
