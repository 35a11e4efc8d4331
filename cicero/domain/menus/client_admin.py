"""Client administration (`clientrequest`, menus.md §3.4): the admin's own menu.

`main` (four groups) → group menu → item steps → `main`. Built, the essential items: 1.3 a user
by NRP (fields, exception, status, move to another client), 1.4 clear a WhatsApp number, 1.5
bulk deactivation (template, preview, `ya`), 2.1/2.2 Instagram/TikTok of one client (fetch
posts, fetch likes/comments, attendance accumulated or per content × semua/sudah/belum),
2.3/2.4 username attendance, 3.3 answer a complaint. Peripheral items answer that they are not
available. Admin only, re-checked on every step by the dispatcher (menus.md §1.4); every
client named is looked up in the admin's reach.
"""

from __future__ import annotations

import json
from dataclasses import replace
from enum import StrEnum

from cicero.domain.auth.authz import Menu
from cicero.domain.layouts.blocks import dash_list
from cicero.domain.menus import bulk_deactivation as bulk
from cicero.domain.menus import complaint_flow, complaints, fields
from cicero.domain.menus.cards import staff_card
from cicero.domain.menus.fields import LABEL, YES, Field, Rejected, numbered, word
from cicero.domain.menus.model import (
    Answered,
    BuildReport,
    ChatState,
    ClientInfo,
    Context,
    Effect,
    FindStaff,
    FindStaffMany,
    Flow,
    HandleOwner,
    Machine,
    MoveStaff,
    PhoneOwner,
    SetException,
    SetStaffActive,
    StaffFound,
    StaffMany,
    StaffView,
    TextIn,
    TriggerFetch,
)
from cicero.domain.menus.scope import clients_in_scope
from cicero.domain.menus.transitions import (
    BACK_FOOTER,
    MENU_FOOTER,
    AnswerHandler,
    Out,
    TextHandler,
    ask,
    goto,
    on_answer,
    opened,
    stay,
)
from cicero.domain.text import numbers


class Step(StrEnum):
    MAIN = "main"
    GROUP = "group"
    ASK_NRP = "ask_nrp"
    USER_FIELD = "user_field"
    USER_VALUE = "user_value"
    USER_STATUS = "user_status"
    USER_ROLE = "user_role"
    USER_EXCEPTION = "user_exception"
    USER_MOVE = "user_move"
    CLEAR_WA = "clear_wa"
    BULK_TEXT = "bulk_text"
    BULK_CONFIRM = "bulk_confirm"
    BULK_ROLE = "bulk_role"
    ASK_CLIENT = "ask_client"
    PLATFORM = "platform"
    MODE = "mode"
    COMPLAINT_TEXT = "complaint_text"


NA = " – belum tersedia"
GROUPS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("Client & User", (
        f"Tambah client baru{NA}", f"Ubah / hapus client{NA}", "Kelola user (NRP)",
        "Hapus nomor WhatsApp user", "Penonaktifan massal (template)", f"Ringkasan data{NA}",
    )),
    2: ("Operasional", (
        "Instagram per client", "TikTok per client", "Absensi kelengkapan username",
        "Personil belum mengisi username", f"Lembar amplifikasi{NA}",
        f"Lembar amplifikasi khusus{NA}",
    )),
    3: ("Transfer & Laporan", (
        f"Transfer user{NA}", f"Rekap login web{NA}", "Jawab komplain", f"Akun resmi{NA}",
    )),
    4: ("Administratif", (f"Daftar pengecualian, nomor admin, dokumen{NA}",)),
}  # fmt: skip
USER_FIELDS = (Field.NAME, Field.RANK, Field.UNIT, Field.POSITION, Field.WHATSAPP,
               Field.INSTAGRAM, Field.TIKTOK)  # fmt: skip
USER_EXTRA = ("Pengecualian (exception)", "Status aktif/nonaktif", "Pindah client")
PLATFORM_ITEMS = {
    "instagram": ("Ambil post hari ini", "Ambil likes", "Absensi likes (akumulasi)",
                  "Absensi likes per konten"),
    "tiktok": ("Ambil post hari ini", "Ambil komentar", "Absensi komentar (akumulasi)",
               "Absensi komentar per konten"),
}  # fmt: skip
MODES = ("semua", "sudah", "belum")
PROCESSING = "⏳ Sedang diproses… Hasil dikirim setelah selesai."
INVALID = "Pilihan tidak valid."
NOT_YET = "ℹ️ Fitur ini belum tersedia di Cicero. Pilih nomor lain."
TITLE = "🛠️ *Menu Client (Admin)*"


def _clients(ctx: Context) -> tuple[ClientInfo, ...]:
    return clients_in_scope(ctx, Menu.CLIENTREQUEST, None)


def _client(text: str, ctx: Context) -> ClientInfo | None:
    cid = text.strip().upper()
    return next((c for c in _clients(ctx) if c.client_id == cid), None)


def _n(text: str, n: int) -> int | None:
    return numbers.choice(word(text), n)


def render(step: Step, flow: Flow, ctx: Context) -> str:
    if step is Step.MAIN:
        rows = "\n".join(f"{i}. {name}" + (NA if i == 4 else "") for i, (name, _) in GROUPS.items())
        return f"{TITLE}\n{rows}\nBalas dengan nomor pilihan.\nKetik *batal* untuk keluar."
    if step is Step.GROUP:
        name, items = GROUPS[int(flow.get("group"))]
        return f"*{name}*\n{numbered(items)}\n{BACK_FOOTER}"
    if step is Step.USER_FIELD:
        labels = [LABEL[f] for f in USER_FIELDS] + list(USER_EXTRA)
        return f"Pilih data yang diubah:\n{numbered(tuple(labels))}\n{BACK_FOOTER}"
    if step is Step.USER_STATUS:
        return f"Pilih status baru:\n1. AKTIF\n2. NONAKTIF\n{BACK_FOOTER}"
    if step is Step.PLATFORM:
        label = "Instagram" if flow.get("platform") == "instagram" else "TikTok"
        listing = numbered(PLATFORM_ITEMS[flow.get("platform")])
        return f"*{label} – {flow.get('client')}*\n{listing}\n{BACK_FOOTER}"
    if step is Step.MODE:
        return f"Pilih tampilan:\n1. Semua\n2. Sudah\n3. Belum\n{BACK_FOOTER}"
    if step is Step.ASK_CLIENT:
        return f"Ketik kode client (contoh: POLRES_A).\n{BACK_FOOTER}"
    raise AssertionError(f"no menu text for {step}")


def show(
    state: ChatState, flow: Flow, step: Step, ctx: Context, *pre: Effect | str, **data: str
) -> Out:
    moved = replace(flow, step=step).put(**data)
    return stay(state, moved, *pre, render(step, moved, ctx))


def start(state: ChatState, ev: TextIn) -> Out:
    return show(
        state, opened(state, Machine.CLIENT_ADMIN, Step.MAIN, ev.ctx, ev.at), Step.MAIN, ev.ctx
    )


def _job(state: ChatState, flow: Flow, ctx: Context, *effects: Effect) -> Out:
    return show(state, flow, Step.MAIN, ctx, *effects, f"{PROCESSING}\n{MENU_FOOTER}")


def on_main(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    i = _n(ev.text, len(GROUPS))
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.MAIN, flow, ev.ctx)}")
    if i == 4:
        return stay(state, flow, NOT_YET)
    return show(state, flow, Step.GROUP, ev.ctx, group=str(i))


# (group, item) → what it starts; absent = peripheral.
def on_group(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    g = int(flow.get("group"))
    i = _n(ev.text, len(GROUPS[g][1]))
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.GROUP, flow, ev.ctx)}")
    item = (g, i)
    if item in ((1, 3), (1, 4)):
        action = "edit" if item == (1, 3) else "clear_wa"
        return goto(
            state, flow, Step.ASK_NRP, f"Ketik *NRP/NIP* user:\n{BACK_FOOTER}", action=action
        )
    if item == (1, 5):
        return goto(state, flow, Step.BULK_TEXT, (
            "Tempel pesan *Permohonan Penghapusan Data Personil – <SATKER>* beserta daftar "
            f"\"N. NAMA – NRP – alasan\".\n{BACK_FOOTER}"
        ))  # fmt: skip
    if item in ((2, 1), (2, 2), (2, 3), (2, 4)):
        target = {
            1: "instagram",
            2: "tiktok",
            3: "username_completeness",
            4: "staff_missing_handles",
        }
        return show(state, flow, Step.ASK_CLIENT, ev.ctx, target=target[i])
    if item == (3, 3):
        return goto(state, flow, Step.COMPLAINT_TEXT, (
            f"Tempel pesan komplain (diawali *Pesan Komplain*, berisi NRP dan *Kendala*).\n{BACK_FOOTER}"
        ))  # fmt: skip
    return stay(state, flow, NOT_YET)


# ---- one client: platform actions and username reports


def on_ask_client(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    c = _client(ev.text, ev.ctx)
    if c is None:
        return stay(
            state,
            flow,
            f"❌ Client *{ev.text.strip()[:40]}* tidak ditemukan.\n{render(Step.ASK_CLIENT, flow, ev.ctx)}",
        )
    target = flow.get("target")
    if target in PLATFORM_ITEMS:
        return show(state, flow, Step.PLATFORM, ev.ctx, platform=target, client=c.client_id)
    return _job(state, flow, ev.ctx, BuildReport(target, c.client_id))


def on_platform(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    platform, cid, i = flow.get("platform"), flow.get("client"), _n(ev.text, 4)
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.PLATFORM, flow, ev.ctx)}")
    if i == 1:
        return _job(state, flow, ev.ctx, TriggerFetch(cid, platform, "posts"))
    if i == 2:
        what = "likes" if platform == "instagram" else "comments"
        return _job(state, flow, ev.ctx, TriggerFetch(cid, platform, what))
    return show(state, flow, Step.MODE, ev.ctx, per_content="1" if i == 4 else "")


def on_mode(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    i = _n(ev.text, 3)
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.MODE, flow, ev.ctx)}")
    platform, per_content = flow.get("platform"), bool(flow.get("per_content"))
    kind = "likes" if platform == "instagram" else "comments"
    key = f"{kind}_per_content" if per_content else f"{kind}_attendance"
    report = BuildReport(
        key, flow.get("client"), platform, MODES[i - 1], cumulative=not per_content
    )
    return _job(state, flow, ev.ctx, report)


# ---- a user by NRP


def on_ask_nrp(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    nrp = fields.parse_nrp(ev.text)
    if isinstance(nrp, Rejected):
        return stay(state, flow, f"{nrp.reason}\n{BACK_FOOTER}")
    return ask(state, flow.put(nrp=nrp), FindStaff(nrp))


def _card(s: StaffView) -> str:
    card = staff_card(s, "👤 *Data User*", "full")
    return (
        card
        + ("\nPengecualian: ya" if s.exception else "")
        + f"\nRole: {', '.join(s.roles) or '-'}"
    )


def on_staff_found(state: ChatState, flow: Flow, ev: Answered, ans: StaffFound) -> Out:
    s = ans.staff
    if s is None:
        return stay(
            state,
            flow,
            f"❌ NRP/NIP *{ans.nrp}* tidak ditemukan. Ketik NRP/NIP lain.\n{BACK_FOOTER}",
        )
    flow = replace(flow, staff=s)
    if flow.get("action") == "clear_wa":
        if not s.whatsapp:
            return show(
                state, flow, Step.GROUP, ev.ctx, f"ℹ️ NRP {s.nrp} belum memiliki nomor WhatsApp."
            )
        return goto(
            state,
            flow,
            Step.CLEAR_WA,
            _card(s),
            f"Hapus nomor WhatsApp NRP {s.nrp}? Balas *ya* untuk menghapus.",
        )
    return show(state, flow, Step.USER_FIELD, ev.ctx, _card(s))


def _staff(flow: Flow) -> StaffView:
    if flow.staff is None:
        raise AssertionError(f"{flow.step} without a staff record")
    return flow.staff


def on_user_field(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, i = _staff(flow), _n(ev.text, len(USER_FIELDS) + len(USER_EXTRA))
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.USER_FIELD, flow, ev.ctx)}")
    if i <= len(USER_FIELDS):
        f = USER_FIELDS[i - 1]
        return goto(
            state,
            flow,
            Step.USER_VALUE,
            f"{fields.prompt(f, s, ev.ctx)}\n{BACK_FOOTER}",
            field=f.value,
        )
    extra = i - len(USER_FIELDS)
    if extra == 1:
        now = "ya" if s.exception else "tidak"
        return goto(state, flow, Step.USER_EXCEPTION, (
            f"Pengecualian NRP {s.nrp} saat ini: *{now}*. Balas *ya* untuk menjadikan "
            f"pengecualian, *tidak* untuk mencabutnya.\n{BACK_FOOTER}"
        ))  # fmt: skip
    if extra == 2:
        return show(state, flow, Step.USER_STATUS, ev.ctx)
    return goto(
        state, flow, Step.USER_MOVE, f"Ketik kode client tujuan untuk NRP {s.nrp}.\n{BACK_FOOTER}"
    )


def _saved(state: ChatState, flow: Flow, ctx: Context, s: StaffView, *effects: Effect | str) -> Out:
    return show(state, replace(flow, staff=s), Step.USER_FIELD, ctx, *effects)


def _edited(state: ChatState, flow: Flow, ctx: Context, f: Field, value: str | None) -> Out:
    new, write, text = fields.save(_staff(flow), f, value)
    return _saved(state, flow, ctx, new, write, text)


def on_user_value(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, f = _staff(flow), Field(flow.get("field"))
    v = fields.parse(f, ev.text, s, ev.ctx)
    if isinstance(v, Rejected):
        return stay(state, flow, f"{v.reason}\n{BACK_FOOTER}")
    q = fields.uniqueness_query(f, v, s)
    if q is None:
        return _edited(state, flow, ev.ctx, f, v)
    return ask(state, flow.put(value=v), q)


def on_owner(state: ChatState, flow: Flow, ev: Answered, ans: HandleOwner | PhoneOwner) -> Out:
    f, v = Field(flow.get("field")), flow.get("value")
    if ans.owner_nrp is not None and ans.owner_nrp != _staff(flow).nrp:
        return stay(state, flow, fields.taken_text(f, v))
    return _edited(state, flow, ev.ctx, f, v)


def on_user_exception(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, w = _staff(flow), word(ev.text)
    if w not in YES | fields.NO:
        return stay(state, flow, f"Balas *ya* atau *tidak*.\n{BACK_FOOTER}")
    on = w in YES
    text = f"✅ Pengecualian NRP {s.nrp}: *{'ya' if on else 'tidak'}*."
    return _saved(state, flow, ev.ctx, replace(s, exception=on), SetException(s.nrp, on), text)


def on_user_status(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, i = _staff(flow), _n(ev.text, 2)
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.USER_STATUS, flow, ev.ctx)}")
    if i == 1:
        return _saved(
            state,
            flow,
            ev.ctx,
            replace(s, active=True),
            SetStaffActive(s.nrp, True),
            f"✅ Status NRP {s.nrp}: AKTIF.",
        )
    if len(s.roles) > 1:
        return goto(
            state,
            flow,
            Step.USER_ROLE,
            f"User memiliki beberapa role. Lepas role:\n{numbered(s.roles)}\n{BACK_FOOTER}",
        )
    return _saved(
        state,
        flow,
        ev.ctx,
        replace(s, active=False),
        SetStaffActive(s.nrp, False),
        f"✅ Status NRP {s.nrp}: NONAKTIF.",
    )


def on_user_role(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s = _staff(flow)
    i = _n(ev.text, len(s.roles))
    if i is None:
        return stay(state, flow, f"{INVALID} Balas nomor role.\n{numbered(s.roles)}")
    effects, line = bulk.drop(s, s.roles[i - 1])
    kept = tuple(r for r in s.roles if r != s.roles[i - 1])
    return _saved(state, flow, ev.ctx, replace(s, roles=kept), *effects, f"✅ {line}.")


def on_user_move(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, c = _staff(flow), _client(ev.text, ev.ctx)
    if c is None:
        return stay(
            state,
            flow,
            f"❌ Client *{ev.text.strip()[:40]}* tidak ditemukan. Ketik kode client lain.\n{BACK_FOOTER}",
        )
    if c.client_id == s.client_id:
        return stay(
            state, flow, f"ℹ️ NRP {s.nrp} sudah terdaftar di {c.name}. Ketik kode client lain."
        )
    moved = replace(s, client_id=c.client_id, client_name=c.name, units=c.units)
    text = f"✅ NRP {s.nrp} dipindahkan ke *{c.name}*."
    return _saved(state, flow, ev.ctx, moved, MoveStaff(s.nrp, c.client_id), text)


def on_clear_wa(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s = _staff(flow)
    if word(ev.text) in YES:
        _, write, text = fields.save(s, Field.WHATSAPP, None)
        return show(state, replace(flow, staff=None), Step.GROUP, ev.ctx, write, text)
    return show(
        state, replace(flow, staff=None), Step.GROUP, ev.ctx, "Nomor WhatsApp tidak dihapus."
    )


# ---- bulk deactivation


def on_bulk_text(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    req = bulk.parse(ev.text)
    if req is None or not req.entries:
        return stay(state, flow, (
            "❌ Format tidak dikenali. Baris pertama *Permohonan Penghapusan Data Personil – "
            f"<SATKER>*, lalu satu personil per baris dengan NRP/NIP.\n{BACK_FOOTER}"
        ))  # fmt: skip
    request = {"satker": req.satker, "entries": [[e.nrp, e.name, e.reason] for e in req.entries]}
    return ask(
        state,
        flow.put(request=json.dumps(request)),
        FindStaffMany(tuple(e.nrp for e in req.entries)),
    )


def _request(flow: Flow) -> bulk.Request:
    raw = json.loads(flow.get("request"))
    return bulk.Request(raw["satker"], tuple(bulk.Entry(*e) for e in raw["entries"]))


def on_bulk_staff(state: ChatState, flow: Flow, ev: Answered, ans: StaffMany) -> Out:
    req = _request(flow)
    scope = {c.client_id for c in _clients(ev.ctx)}
    checked = bulk.check(
        req, {s.nrp: s for s in ans.staff}, None if ev.ctx.identity.is_admin else scope
    )
    ok = [c for c in checked if not c.problem]
    todo = [{"nrp": c.entry.nrp, "staff": c.staff.to_dict(), "reason": c.entry.reason}
            for c in ok if c.staff]  # fmt: skip
    failed = [f"{c.entry.nrp}: {c.problem}" for c in checked if c.problem]
    title = f"📋 *Pratinjau Penonaktifan{' – ' + req.satker if req.satker else ''}*"
    lines = [
        title,
        f"Akan diproses ({len(ok)}):",
        *dash_list(f"- {c.entry.nrp} {c.staff.name} ({', '.join(c.roles)})" for c in ok if c.staff),
        f"Tidak dapat diproses ({len(failed)}):",
        *dash_list(f"- {f}" for f in failed),
    ]
    if not ok:
        return show(
            state, flow, Step.GROUP, ev.ctx, "\n".join([*lines, "Tidak ada yang diproses."])
        )
    lines.append("Balas *ya* untuk memproses, *batal* untuk membatalkan.")
    return goto(
        state,
        flow,
        Step.BULK_CONFIRM,
        "\n".join(lines),
        todo=json.dumps(todo),
        failed=json.dumps(failed),
        done="[]",
    )


def _bulk_next(state: ChatState, flow: Flow, ctx: Context, effects: list[Effect]) -> Out:
    """Process entries until one needs a role picked; then ask, or summarise when none is left."""
    todo, done = json.loads(flow.get("todo")), json.loads(flow.get("done"))
    while todo:
        s = StaffView.from_dict(todo[0]["staff"])
        if len(s.roles) > 1:
            flow = flow.put(todo=json.dumps(todo), done=json.dumps(done))
            return goto(state, flow, Step.BULK_ROLE, *effects, (
                f"{s.name} – {s.nrp} memiliki beberapa role. Role yang dilepas:\n{numbered(s.roles)}"
            ))  # fmt: skip
        more, line = bulk.drop(s, s.roles[0], todo[0].get("reason", ""))
        effects, done, todo = effects + more, [*done, line], todo[1:]
    failed = json.loads(flow.get("failed"))
    satker = _request(flow).satker
    summary = [
        f"📋 *Ringkasan Penonaktifan{' – ' + satker if satker else ''}*",
        f"✅ Diproses ({len(done)}):",
        *dash_list(f"- {d}" for d in done),
        f"❌ Gagal ({len(failed)}):",
        *dash_list(f"- {f}" for f in failed),
    ]
    return show(state, flow, Step.GROUP, ctx, *effects, "\n".join(summary))


def on_bulk_confirm(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    if word(ev.text) not in YES:
        return stay(state, flow, "Balas *ya* untuk memproses atau *batal* untuk membatalkan.")
    return _bulk_next(state, flow, ev.ctx, [])


def on_bulk_role(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    todo = json.loads(flow.get("todo"))
    s = StaffView.from_dict(todo[0]["staff"])
    i = _n(ev.text, len(s.roles))
    if i is None:
        return stay(state, flow, f"{INVALID} Balas nomor role.\n{numbered(s.roles)}")
    effects, line = bulk.drop(s, s.roles[i - 1], todo[0].get("reason", ""))
    done = [*json.loads(flow.get("done")), line]
    return _bulk_next(
        state, flow.put(todo=json.dumps(todo[1:]), done=json.dumps(done)), ev.ctx, effects
    )


# ---- complaint


def on_complaint_text(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    if not complaints.is_complaint(ev.text):
        return stay(state, flow, (
            "❌ Bukan format komplain: perlu baris *Pesan Komplain*, NRP, dan *Kendala*. "
            f"Tempel ulang pesannya.\n{BACK_FOOTER}"
        ))  # fmt: skip
    return complaint_flow.start(state, ev)  # the complaint machine takes over this chat


TEXT: dict[Step, TextHandler] = {
    Step.MAIN: on_main,
    Step.GROUP: on_group,
    Step.ASK_NRP: on_ask_nrp,
    Step.USER_FIELD: on_user_field,
    Step.USER_VALUE: on_user_value,
    Step.USER_STATUS: on_user_status,
    Step.USER_ROLE: on_user_role,
    Step.USER_EXCEPTION: on_user_exception,
    Step.USER_MOVE: on_user_move,
    Step.CLEAR_WA: on_clear_wa,
    Step.BULK_TEXT: on_bulk_text,
    Step.BULK_CONFIRM: on_bulk_confirm,
    Step.BULK_ROLE: on_bulk_role,
    Step.ASK_CLIENT: on_ask_client,
    Step.PLATFORM: on_platform,
    Step.MODE: on_mode,
    Step.COMPLAINT_TEXT: on_complaint_text,
}
ANSWER: dict[tuple[Step, type], AnswerHandler] = dict([
    on_answer(Step.ASK_NRP, StaffFound, on_staff_found),
    on_answer(Step.USER_VALUE, HandleOwner, on_owner),
    on_answer(Step.USER_VALUE, PhoneOwner, on_owner),
    on_answer(Step.BULK_TEXT, StaffMany, on_bulk_staff),
])

PARENT = {
    Step.GROUP: Step.MAIN,
    Step.ASK_NRP: Step.GROUP,
    Step.CLEAR_WA: Step.GROUP,
    Step.BULK_TEXT: Step.GROUP,
    Step.BULK_CONFIRM: Step.GROUP,
    Step.ASK_CLIENT: Step.GROUP,
    Step.COMPLAINT_TEXT: Step.GROUP,
    Step.USER_FIELD: Step.GROUP,
    Step.USER_VALUE: Step.USER_FIELD,
    Step.USER_STATUS: Step.USER_FIELD,
    Step.USER_ROLE: Step.USER_STATUS,
    Step.USER_EXCEPTION: Step.USER_FIELD,
    Step.USER_MOVE: Step.USER_FIELD,
    Step.PLATFORM: Step.ASK_CLIENT,
    Step.MODE: Step.PLATFORM,
}  # BULK_ROLE has none: half the list is processed, `batal` stops it


def back(state: ChatState, flow: Flow, ev: TextIn) -> Out | None:
    parent = PARENT.get(Step(flow.step))
    if parent is None:
        return None
    if parent in (Step.MAIN, Step.GROUP):
        flow = replace(flow, staff=None)
    return show(state, flow, parent, ev.ctx)


def menu(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    return show(state, replace(flow, staff=None), Step.MAIN, ev.ctx)


def still_allowed(flow: Flow, ctx: Context) -> bool:
    """Admin only (the dispatcher re-checks the keyword's authorization); a picked client
    must still exist."""
    cid = flow.get("client")
    return not cid or any(c.client_id == cid for c in _clients(ctx))
