"""The complaint machine: parsed complaint → facts lookup → card, answers, delivery.

A complaint with no automatic answer waits, in the handler's DM state, for a free-text
solution (`batal` drops it). In a group there is no handler DM: the group is told it is noted.
"""

from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from cicero.domain.auth.authz import Menu, reach
from cicero.domain.menus import complaints
from cicero.domain.menus.cards import staff_card
from cicero.domain.menus.complaints import Complaint
from cicero.domain.menus.model import (
    Answered,
    BuildReport,
    ChatState,
    ComplaintData,
    ComplaintFacts,
    Context,
    Effect,
    Flow,
    Machine,
    Reply,
    SendEmail,
    SendText,
    StaffView,
    TextIn,
    clip,
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
)
from cicero.domain.timezone import to_wib


class Step(StrEnum):
    FACTS = "facts"
    SOLUTION = "solution"


def greeting(at: datetime) -> str:
    h = to_wib(at).hour
    part = (
        "pagi" if 4 <= h < 10 else "siang" if 10 <= h < 15 else "sore" if 15 <= h < 18 else "malam"
    )
    return f"Selamat {part}"


def start(state: ChatState, ev: TextIn) -> Out:
    c = complaints.parse(ev.text)
    if c.nrp is None:
        return close(
            state, "❌ NRP/NIP tidak ditemukan dalam pesan komplain. Tulis baris *NRP: <angka>*."
        )
    flow = opened(state, Machine.COMPLAINT, Step.FACTS, ev.ctx, ev.at).put(
        nrp=c.nrp,
        name=c.name or "",
        instagram=c.instagram or "",
        tiktok=c.tiktok or "",
        issues="\n".join(c.issues),
    )
    return ask(state, flow, ComplaintFacts(c.nrp, c.instagram, c.tiktok))


def _complaint(flow: Flow) -> Complaint:
    g = flow.get
    return Complaint(
        nrp=g("nrp"),
        name=g("name") or None,
        polres=None,
        instagram=g("instagram") or None,
        tiktok=g("tiktok") or None,
        issues=tuple(x for x in g("issues").split("\n") if x),
    )


def _in_scope(s: StaffView, ctx: Context) -> bool:
    if ctx.group_clients is not None:
        return s.client_id in ctx.group_clients
    r = reach(ctx.identity, Menu.COMPLAINT)
    return r is not None and r.covers_client(s.client_id)


def _answers(c: Complaint, d: ComplaintData, ctx: Context) -> list[str]:
    s = d.staff
    if s is None:
        return []
    if not s.active:
        return [
            "Akun Anda tidak aktif. Hubungi operator satker Anda untuk mengaktifkannya kembali."
        ]
    out: list[str] = []
    if not s.instagram and not s.tiktok:
        link = f" atau melalui {ctx.config.claim_link}" if ctx.config.claim_link else ""
        out.append(
            "Username Instagram/TikTok Anda belum terdaftar. Daftarkan dengan mengetik "
            f"*userrequest* ke nomor ini{link}, pilih ubah data, lalu isi username."
        )
    seen: set[complaints.Issue] = set()
    for line in c.issues:
        issue = complaints.classify(line)
        if issue is None or issue in seen:
            continue
        seen.add(issue)
        text = complaints.answer(issue, c, d, ctx.config.lookback_label)
        if text:
            out.append(text)
    return out


def _deliver(state: ChatState, flow: Flow, ctx: Context, at: datetime, solution: list[str]) -> Out:
    s = flow.staff
    if s is None:
        raise AssertionError("complaint delivery without a reporter")
    issues = "\n".join(f"- {x}" for x in _complaint(flow).issues) or "-"
    body = (
        f"{greeting(at)} {s.rank} {s.name},\n\n*Pelapor*: {s.name}\n*NRP/NIP*: {s.nrp}\n"
        f"*Kendala*:\n{issues}\n\n*Solusi/Tindak Lanjut*:\n" + "\n\n".join(solution)
    )
    send: Effect | None = None
    if s.whatsapp:
        send = SendText(s.whatsapp, clip(body))
    elif s.email:
        send = SendEmail(s.email, f"Tindak Lanjut Laporan Cicero - {s.name}", body)
    summary = (
        f"📨 *Ringkasan Respon Komplain*\n{s.rank} {s.name} ({s.nrp})\n*Kendala*:\n{issues}\n"
        "*Solusi*:\n" + "\n\n".join(solution)
    )
    if send is None:
        result = f"❌ Gagal mengirim respon ke {s.name} ({s.nrp}): pelapor belum punya nomor WhatsApp atau email."
        return close(state, summary, result)
    return close(state, send, summary, f"✅ Respon komplain telah dikirim ke {s.name} ({s.nrp})")


def on_facts(state: ChatState, flow: Flow, ev: Answered, d: ComplaintData) -> Out:
    s, ctx = d.staff, ev.ctx
    if s is None:
        return close(
            state,
            f"❌ NRP/NIP *{flow.get('nrp')}* tidak terdaftar. Periksa kembali NRP/NIP pelapor.",
        )
    if not _in_scope(s, ctx):
        return close(state, f"❌ NRP/NIP *{s.nrp}* tidak terdaftar pada client ini.")
    flow = replace(flow, staff=s)
    card = staff_card(s, "👤 *Data Pelapor*", "masked" if ctx.in_group else "full")
    status = BuildReport("account_status", s.client_id, nrp=s.nrp)
    solution = _answers(_complaint(flow), d, ctx)
    if solution:
        st, eff = _deliver(state, flow, ctx, ev.at, solution)
        return st, [Reply(card), status, *eff]
    if ctx.in_group:
        return close(state, card, status, "Komplain dicatat dan akan ditindaklanjuti operator.")
    return goto(
        state,
        flow,
        Step.SOLUTION,
        card,
        status,
        f"Tidak ada jawaban otomatis. Ketik solusi/tindak lanjut untuk pelapor. {CANCEL_FOOTER}",
    )


def on_solution(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    text = ev.text.strip()
    if not text:
        return goto(state, flow, Step.SOLUTION, f"Solusi tidak boleh kosong. {CANCEL_FOOTER}")
    return _deliver(state, flow, ev.ctx, ev.at, [text[:4000]])


TEXT: dict[Step, TextHandler] = {Step.SOLUTION: on_solution}
ANSWER: dict[tuple[Step, type], AnswerHandler] = dict([
    on_answer(Step.FACTS, ComplaintData, on_facts),
])


def still_allowed(flow: Flow, ctx: Context) -> bool:
    return flow.staff is None or _in_scope(flow.staff, ctx)
