"""Staff self-service (menus.md §4): find by NRP, bind after confirmation, edit own fields.

Bound number → card and "is this you?"; unbound → ask the NRP. Binding a record bound to
another number needs an OTP mailed to the email on file. Unknown NRPs count towards a lock
(5 per chat per hour → 1 h). Edits only while the record is active.
"""

from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from cicero.domain.menus import fields
from cicero.domain.menus.cards import staff_card
from cicero.domain.menus.fields import LABEL, NO, YES, Field, Rejected, word
from cicero.domain.menus.model import (
    Answered,
    BindWhatsapp,
    ChatState,
    CheckOtp,
    Context,
    FindStaff,
    Flow,
    HandleOwner,
    IssueOtp,
    IssuePasswordLink,
    Machine,
    OtpChecked,
    OtpIssued,
    PasswordLinkSent,
    StaffFound,
    StaffView,
    TextIn,
)
from cicero.domain.menus.transitions import (
    CANCEL_FOOTER,
    AnswerHandler,
    Out,
    TextHandler,
    ask,
    close,
    goto,
    on_answer,
    opened,
    stay,
)
from cicero.domain.text import numbers
from cicero.domain.timezone import to_wib


class Step(StrEnum):
    CONFIRM_IDENTITY = "confirm_identity"
    ASK_NRP = "ask_nrp"
    CONFIRM_BIND = "confirm_bind"
    ASK_UPDATE = "ask_update"
    ASK_FIELD = "ask_field"
    ASK_VALUE = "ask_value"
    OTP_WAIT = "otp_wait"


ASK_NRP_TEXT = "Silakan ketik *NRP/NIP* Anda (angka saja)."
ASK_UPDATE_TEXT = "Apakah Anda ingin melakukan perubahan data? (ya/tidak)"
CONFIRM_TEXT = "Apakah data di atas benar milik Anda? (ya/tidak)"
UNRECOGNISED = "Jawaban tidak dikenali. Balas *ya* atau *tidak*."
AGAIN = "Ketik *userrequest* untuk memulai lagi."

BASE_FIELDS = (Field.NAME, Field.RANK, Field.UNIT, Field.POSITION, Field.INSTAGRAM, Field.TIKTOK)


def field_list(staff: StaffView) -> tuple[Field, ...]:
    return (*BASE_FIELDS, Field.VILLAGE) if "ditbinmas" in staff.roles else BASE_FIELDS


PASSWORD_LABEL = "Password aplikasi (Cicero Reposter)"


def field_menu(staff: StaffView) -> str:
    options = field_list(staff)
    rows = "\n".join(f"{i}. {LABEL[f]}" for i, f in enumerate(options, 1))
    rows += f"\n{len(options) + 1}. {PASSWORD_LABEL}"
    return f"Pilih data yang ingin diubah:\n{rows}\n{CANCEL_FOOTER}"


def _password_link(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    """Only for the record bound to this very number: the link goes to it."""
    s = _me(flow)
    if flow.get("bound") != "1" or not s.whatsapp or s.whatsapp != ev.ctx.identity.phone:
        return stay(
            state, flow, "❌ Link password hanya dikirim ke nomor yang terhubung dengan data Anda."
        )
    query = IssuePasswordLink(
        s.nrp, s.whatsapp, "self", ev.ctx.session.value, ev.ctx.config.web_url
    )
    return ask(state, flow, query)


def on_link_sent(state: ChatState, flow: Flow, ev: Answered, ans: PasswordLinkSent) -> Out:
    if not ans.sent:
        text = "⏳ Link password baru saja dikirim. Tunggu sebentar sebelum meminta lagi."
    else:
        text = (
            "🔐 Link untuk membuat password aplikasi telah dikirim ke nomor ini (berlaku 15 menit, "
            "sekali pakai). Jangan bagikan kepada siapa pun."
        )
    return goto(state, flow, Step.ASK_UPDATE, f"{text}\n\n{ASK_UPDATE_TEXT}")


def start(state: ChatState, ev: TextIn) -> Out:
    ctx, at = ev.ctx, ev.at
    if ctx.me is not None:
        flow = opened(state, Machine.USER, Step.CONFIRM_IDENTITY, ctx, at)
        flow = replace(flow, staff=ctx.me).put(bound="1")
        return stay(state, flow, f"{staff_card(ctx.me)}\n\n{CONFIRM_TEXT}")
    if state.locked_until is not None and at < state.locked_until:
        until = to_wib(state.locked_until).strftime("%H.%M")
        return close(
            state, f"⛔ Terlalu banyak NRP/NIP yang salah. Coba lagi setelah pukul {until} WIB."
        )
    return stay(state, opened(state, Machine.USER, Step.ASK_NRP, ctx, at), ASK_NRP_TEXT)


def _me(flow: Flow) -> StaffView:
    if flow.staff is None:
        raise AssertionError(f"self-service step {flow.step} without a staff record")
    return flow.staff


def on_confirm_identity(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    w = word(ev.text)
    if w in YES:
        return goto(state, flow, Step.ASK_UPDATE, ASK_UPDATE_TEXT)
    if w in NO:
        return close(
            state,
            f"Baik. Jika data tersebut bukan milik Anda, hubungi operator satker Anda. {AGAIN}",
        )
    return stay(state, flow, UNRECOGNISED)


def on_ask_nrp(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    nrp = fields.parse_nrp(ev.text)
    if isinstance(nrp, Rejected):
        return stay(state, flow, f"{nrp.reason} {CANCEL_FOOTER}")
    return ask(state, flow.put(nrp=nrp), FindStaff(nrp))


def _count_failure(state: ChatState, at: datetime, ctx: Context) -> ChatState:
    hour_ago = at - ctx.config.nrp_lock
    fails = (*(t for t in state.nrp_failures if t > hour_ago), at)
    if len(fails) >= ctx.config.nrp_fail_limit:
        return replace(state, nrp_failures=(), locked_until=at + ctx.config.nrp_lock)
    return replace(state, nrp_failures=fails)


def on_staff_found(state: ChatState, flow: Flow, ev: Answered, ans: StaffFound) -> Out:
    ctx, nrp, s = ev.ctx, flow.get("nrp"), ans.staff
    if s is None:
        state = _count_failure(state, ev.at, ctx)
        if state.locked_until is not None and ev.at < state.locked_until:
            return close(state, "⛔ Terlalu banyak NRP/NIP yang salah. Coba lagi 1 jam lagi.")
        return stay(
            state,
            flow,
            f"❌ NRP/NIP *{nrp}* tidak ditemukan. Periksa kembali, atau hubungi operator satker "
            f"Anda. {CANCEL_FOOTER}",
        )
    phone = ctx.identity.phone
    flow = replace(flow, staff=s)
    if not s.active:
        return close(
            state, f"⚠️ Data NRP/NIP *{nrp}* berstatus tidak aktif. Hubungi operator satker Anda."
        )
    if s.whatsapp and s.whatsapp == phone:
        return goto(state, flow.put(bound="1"), Step.ASK_UPDATE, staff_card(s), ASK_UPDATE_TEXT)
    if s.whatsapp:
        if s.email:
            return ask(state, flow, IssueOtp(nrp, s.email))
        return close(
            state,
            f"❌ NRP/NIP *{nrp}* sudah terhubung dengan nomor WhatsApp lain. "
            "Hubungi operator satker Anda untuk memindahkannya.",
        )
    return goto(
        state,
        flow,
        Step.CONFIRM_BIND,
        f"✅ NRP/NIP *{nrp}* ditemukan atas nama *{s.rank} {s.name}* ({s.client_name or s.client_id}).\n"
        "Hubungkan nomor WhatsApp ini dengan data tersebut? (ya/tidak)",
    )


def on_otp_issued(state: ChatState, flow: Flow, ev: Answered, ans: OtpIssued) -> Out:
    if not ans.sent:
        return close(state, "⏳ Kode OTP baru saja diminta. Tunggu sebentar lalu coba lagi.")
    return goto(
        state,
        flow,
        Step.OTP_WAIT,
        "🔐 NRP/NIP ini sudah terhubung dengan nomor lain. Kode OTP 6 angka telah dikirim ke email "
        f"yang terdaftar. Ketik kodenya di sini (berlaku 5 menit). {CANCEL_FOOTER}",
    )


def _bind(state: ChatState, flow: Flow, phone: str | None) -> Out:
    s = _me(flow)
    if phone is None:
        return close(state, "❌ Nomor pengirim tidak dapat dibaca. Coba lagi dari WhatsApp biasa.")
    bound = replace(s, whatsapp=phone)
    return goto(
        state,
        replace(flow, staff=bound),
        Step.ASK_UPDATE,
        BindWhatsapp(s.nrp, phone),
        f"✅ Nomor WhatsApp telah dihubungkan dengan NRP/NIP {s.nrp}.\n\n{staff_card(bound)}\n\n"
        + ASK_UPDATE_TEXT,
        bound="1",
    )


def on_confirm_bind(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    w = word(ev.text)
    if w in YES:
        return _bind(state, flow, ev.ctx.identity.phone)
    if w in NO:
        return close(state, f"Baik, nomor tidak dihubungkan. {AGAIN}")
    return stay(state, flow, UNRECOGNISED)


def on_otp_text(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    code = ev.text.strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return stay(state, flow, f"Kode OTP terdiri dari 6 angka. {CANCEL_FOOTER}")
    return ask(state, flow, CheckOtp(_me(flow).nrp, code))


def on_otp_checked(state: ChatState, flow: Flow, ev: Answered, ans: OtpChecked) -> Out:
    if ans.check == "ok":
        return _bind(state, flow, ev.ctx.identity.phone)
    if ans.check == "wrong" and ans.tries_left > 0:
        return stay(state, flow, f"❌ Kode OTP salah. Sisa percobaan: {ans.tries_left}.")
    return close(state, f"❌ Kode OTP tidak berlaku lagi (salah 3 kali atau kedaluwarsa). {AGAIN}")


def on_ask_update(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    w = word(ev.text)
    if w in YES:
        if not _me(flow).active:
            return close(state, "⚠️ Data Anda tidak aktif; perubahan hanya melalui operator satker.")
        return goto(state, flow, Step.ASK_FIELD, field_menu(_me(flow)))
    if w in NO:
        return close(state, f"✅ Terima kasih. {AGAIN}")
    return stay(state, flow, UNRECOGNISED)


def on_ask_field(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, w = _me(flow), word(ev.text)
    options = field_list(s)
    n = numbers.choice(w, len(options) + 1)  # the last number: "Password aplikasi"
    if n == len(options) + 1:
        return _password_link(state, flow, ev)
    if n is not None:
        f = options[n - 1]
        return goto(state, flow, Step.ASK_VALUE, fields.prompt(f, s, ev.ctx), field=f.value)
    return stay(state, flow, f"Pilihan tidak valid.\n{field_menu(s)}")


def _saved(state: ChatState, flow: Flow, f: Field, value: str) -> Out:
    new, write, text = fields.save(_me(flow), f, value)
    return goto(
        state,
        replace(flow, staff=new),
        Step.ASK_UPDATE,
        write,
        f"{text}\n\n{staff_card(new)}\n\n{ASK_UPDATE_TEXT}",
    )


def on_ask_value(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, f = _me(flow), Field(flow.get("field"))
    value = fields.parse(f, ev.text, s, ev.ctx)
    if isinstance(value, Rejected):
        return stay(state, flow, f"{value.reason}\n{CANCEL_FOOTER}")
    query = fields.uniqueness_query(f, value, s)
    if query is None:
        return _saved(state, flow, f, value)
    return ask(state, flow.put(value=value), query)


def on_owner(state: ChatState, flow: Flow, ev: Answered, ans: HandleOwner) -> Out:
    f, value = Field(flow.get("field")), flow.get("value")
    if ans.owner_nrp is not None and ans.owner_nrp != _me(flow).nrp:
        return stay(state, flow, fields.taken_text(f, value))
    return _saved(state, flow, f, value)


TEXT: dict[Step, TextHandler] = {
    Step.CONFIRM_IDENTITY: on_confirm_identity,
    Step.ASK_NRP: on_ask_nrp,
    Step.CONFIRM_BIND: on_confirm_bind,
    Step.ASK_UPDATE: on_ask_update,
    Step.ASK_FIELD: on_ask_field,
    Step.ASK_VALUE: on_ask_value,
    Step.OTP_WAIT: on_otp_text,
}

ANSWER: dict[tuple[Step, type], AnswerHandler] = dict([
    on_answer(Step.ASK_NRP, StaffFound, on_staff_found),
    on_answer(Step.ASK_NRP, OtpIssued, on_otp_issued),
    on_answer(Step.OTP_WAIT, OtpChecked, on_otp_checked),
    on_answer(Step.ASK_VALUE, HandleOwner, on_owner),
    on_answer(Step.ASK_FIELD, PasswordLinkSent, on_link_sent),
])


def still_allowed(flow: Flow, ctx: Context) -> bool:
    """A flow started on a bound record closes when the number no longer holds it."""
    if flow.get("bound") != "1":
        return True
    return ctx.me is not None and flow.staff is not None and ctx.me.nrp == flow.staff.nrp


def refreshed(flow: Flow, ctx: Context) -> Flow:
    """Prefer the freshly loaded row (an operator may have edited it meanwhile)."""
    if flow.get("bound") == "1" and ctx.me is not None:
        return replace(flow, staff=ctx.me)
    return flow
