"""The operator menu (`oprrequest`, menus.md §3.1): one client's staff, amplification and
engagement attendance. Top numbers are fixed; a disabled group answers "belum aktif".

Data covers staff of the chosen client holding the `operator` role only (as the old system).
"""

from dataclasses import replace
from enum import StrEnum

from cicero.domain.auth.authz import Menu
from cicero.domain.menus import fields
from cicero.domain.menus.cards import staff_card
from cicero.domain.menus.fields import LABEL, YES, Field, Rejected, numbered, word
from cicero.domain.menus.model import (
    Answered,
    BuildReport,
    ChatState,
    ClientInfo,
    Context,
    CreateStaff,
    DropStaffRole,
    Effect,
    FindStaff,
    Flow,
    HandleOwner,
    IssuePasswordLink,
    Machine,
    PasswordLinkSent,
    PhoneOwner,
    SetStaffActive,
    StaffFound,
    StaffView,
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
    ask,
    close,
    goto,
    on_answer,
    opened,
    stay,
)
from cicero.domain.text import numbers


class Step(StrEnum):
    CHOOSE_CLIENT = "choose_client"
    MAIN = "main"
    USER_MENU = "user_menu"
    AMPLIFY_MENU = "amplify_menu"
    AMPLIFY_TASKS = "amplify_tasks"
    AMPLIFY_REPORTS = "amplify_reports"
    ENGAGEMENT_MENU = "engagement_menu"
    MODE = "mode"
    ASK_NRP = "ask_nrp"
    ADD_NAME = "add_name"
    ADD_RANK = "add_rank"
    ADD_UNIT = "add_unit"
    ADD_POSITION = "add_position"
    EDIT_FIELD = "edit_field"
    EDIT_VALUE = "edit_value"
    CONFIRM_CLEAR_WA = "confirm_clear_wa"
    STATUS_CHOICE = "status_choice"
    STATUS_ROLE = "status_role"


PARENT = {
    Step.USER_MENU: Step.MAIN,
    Step.AMPLIFY_MENU: Step.MAIN,
    Step.ENGAGEMENT_MENU: Step.MAIN,
    Step.AMPLIFY_TASKS: Step.AMPLIFY_MENU,
    Step.AMPLIFY_REPORTS: Step.AMPLIFY_MENU,
    Step.ASK_NRP: Step.USER_MENU,
    Step.ADD_NAME: Step.USER_MENU,
    Step.ADD_RANK: Step.USER_MENU,
    Step.ADD_UNIT: Step.USER_MENU,
    Step.ADD_POSITION: Step.USER_MENU,
    Step.EDIT_FIELD: Step.USER_MENU,
    Step.EDIT_VALUE: Step.EDIT_FIELD,
    Step.CONFIRM_CLEAR_WA: Step.EDIT_FIELD,
    Step.STATUS_CHOICE: Step.USER_MENU,
    Step.STATUS_ROLE: Step.STATUS_CHOICE,
}  # MODE's parent is stored in the flow (it is reached from two groups)

MENUS = {
    Step.MAIN: ("1. Manajemen User", "2. Manajemen Amplifikasi", "3. Manajemen Engagement"),
    Step.USER_MENU: (
        "1. Tambah user",
        "2. Perbarui data user",
        "3. Ubah status user",
        "4. Cek data user",
        "5. Absensi registrasi WhatsApp",
        "6. Absensi kelengkapan username",
        "7. Kirim link password aplikasi",
    ),
    Step.AMPLIFY_MENU: ("1. Tugas rutin", "2. Laporan tugas rutin", "3. Tugas khusus"),
    Step.AMPLIFY_TASKS: ("1. Ambil tugas IG hari ini", "2. Tambah tugas khusus (link)"),
    Step.AMPLIFY_REPORTS: (
        "1. Rekap link hari ini",
        "2. Rekap link kemarin",
        "3. Rekap link per post",
        "4. Absensi amplifikasi",
    ),
    Step.ENGAGEMENT_MENU: ("1. Absensi likes Instagram", "2. Absensi komentar TikTok"),
    Step.MODE: ("1. Semua", "2. Sudah", "3. Belum"),
    Step.STATUS_CHOICE: ("1. AKTIF", "2. NONAKTIF"),
}
TITLES = {
    Step.MAIN: "📋 *Menu Operator*",
    Step.USER_MENU: "👥 *Manajemen User*",
    Step.AMPLIFY_MENU: "📣 *Manajemen Amplifikasi*",
    Step.AMPLIFY_TASKS: "📣 *Tugas Rutin*",
    Step.AMPLIFY_REPORTS: "📊 *Laporan Tugas Rutin*",
    Step.ENGAGEMENT_MENU: "📊 *Manajemen Engagement*",
    Step.MODE: "Pilih tampilan:",
    Step.STATUS_CHOICE: "Pilih status baru:",
}
MODES = ("semua", "sudah", "belum")
EDIT_FIELDS = (
    Field.NAME,
    Field.RANK,
    Field.UNIT,
    Field.POSITION,
    Field.WHATSAPP,
    Field.INSTAGRAM,
    Field.TIKTOK,
)
PROCESSING = "⏳ Sedang diproses… Hasil dikirim setelah selesai."
INVALID = "Pilihan tidak valid."
NOT_YET = "ℹ️ Fitur ini belum tersedia di Cicero. Pilih nomor lain."
ASK_NRP_TEXT = "Ketik *NRP/NIP* user:"


def _clients(ctx: Context) -> tuple[ClientInfo, ...]:
    return clients_in_scope(ctx, Menu.OPRREQUEST, "ORG")


def _client(flow: Flow, ctx: Context) -> ClientInfo:
    return chosen_client(flow, ctx, Menu.OPRREQUEST, "ORG")


def render(step: Step, flow: Flow, ctx: Context) -> str:
    if step is Step.CHOOSE_CLIENT:
        names = tuple(f"{c.name} ({c.client_id})" for c in _clients(ctx))
        return f"Pilih client:\n{numbered(names)}\nKetik *batal* untuk keluar."
    if step is Step.EDIT_FIELD:
        rows = "\n".join(f"{i}. {LABEL[f]}" for i, f in enumerate(EDIT_FIELDS, 1))
        return f"Pilih data yang diubah:\n{rows}\n8. Hapus WhatsApp\n{BACK_FOOTER}"
    title = TITLES.get(step, "")
    if step is Step.MAIN:
        title = f"{title} – Client: *{_client(flow, ctx).name}*"
    footer = BACK_FOOTER if (step in PARENT or step is Step.MODE) else "Ketik *batal* untuk keluar."
    if step is Step.MAIN and len(_clients(ctx)) > 1:
        footer = BACK_FOOTER
    return f"{title}\n" + "\n".join(MENUS[step]) + f"\nBalas dengan nomor pilihan.\n{footer}"


def show(
    state: ChatState, flow: Flow, step: Step, ctx: Context, *pre: Effect | str, **data: str
) -> Out:
    moved = replace(flow, step=step).put(**data)
    return stay(state, moved, *pre, render(step, moved, ctx))


def start(state: ChatState, ev: TextIn) -> Out:
    clients = _clients(ev.ctx)
    flow = opened(state, Machine.OPERATOR, Step.CHOOSE_CLIENT, ev.ctx, ev.at)
    if not clients:
        return close(state, "Tidak ada client aktif dalam cakupan Anda.")
    if len(clients) == 1:
        return show(state, flow, Step.MAIN, ev.ctx, client=clients[0].client_id)
    return show(state, flow, Step.CHOOSE_CLIENT, ev.ctx)


def _number(text: str, n: int) -> int | None:
    return numbers.choice(word(text), n)


def on_choose_client(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    clients = _clients(ev.ctx)
    i = _number(ev.text, len(clients))
    if i is None:
        by_id = [c for c in clients if c.client_id == ev.text.strip().upper()]
        if not by_id:
            return stay(state, flow, f"{INVALID}\n{render(Step.CHOOSE_CLIENT, flow, ev.ctx)}")
        c = by_id[0]
    else:
        c = clients[i - 1]
    return show(state, flow, Step.MAIN, ev.ctx, f"✅ Client {c.name} dipilih.", client=c.client_id)


def on_main(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    c, i = _client(flow, ev.ctx), _number(ev.text, 3)
    if i == 1:
        return show(state, flow, Step.USER_MENU, ev.ctx)
    if i == 2:
        if not c.amplify_enabled:
            return stay(state, flow, "Manajemen Amplifikasi belum aktif untuk client ini.")
        return show(state, flow, Step.AMPLIFY_MENU, ev.ctx)
    if i == 3:
        if not (c.instagram_enabled or c.tiktok_enabled):
            return stay(state, flow, "Manajemen Engagement belum aktif untuk client ini.")
        return show(state, flow, Step.ENGAGEMENT_MENU, ev.ctx)
    return stay(state, flow, f"{INVALID}\n{render(Step.MAIN, flow, ev.ctx)}")


def _job(state: ChatState, flow: Flow, *effects: Effect) -> Out:
    return goto(state, flow, Step.MAIN, *effects, f"{PROCESSING}\n{MENU_FOOTER}")


def on_user_menu(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    cid, i = flow.get("client"), _number(ev.text, 7)
    actions = {1: "add", 2: "edit", 3: "status", 4: "check", 7: "password"}
    if i in actions:
        return goto(state, flow, Step.ASK_NRP, ASK_NRP_TEXT, action=actions[i])
    if i == 5:
        return _job(state, flow, BuildReport("wa_registration_attendance", cid))
    if i == 6:
        return _job(state, flow, BuildReport("username_completeness", cid))
    return stay(state, flow, f"{INVALID}\n{render(Step.USER_MENU, flow, ev.ctx)}")


def on_amplify_menu(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    i = _number(ev.text, 3)
    if i == 1:
        return show(state, flow, Step.AMPLIFY_TASKS, ev.ctx)
    if i == 2:
        return show(state, flow, Step.AMPLIFY_REPORTS, ev.ctx)
    if i == 3:
        return stay(state, flow, NOT_YET)
    return stay(state, flow, f"{INVALID}\n{render(Step.AMPLIFY_MENU, flow, ev.ctx)}")


def on_amplify_tasks(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    i = _number(ev.text, 2)
    if i == 1:
        return _job(state, flow, TriggerFetch(flow.get("client"), "instagram", "posts"))
    if i == 2:
        return stay(state, flow, NOT_YET)
    return stay(state, flow, f"{INVALID}\n{render(Step.AMPLIFY_TASKS, flow, ev.ctx)}")


def on_amplify_reports(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    cid, i = flow.get("client"), _number(ev.text, 4)
    if i == 1:
        return _job(state, flow, BuildReport("amplify_link_recap", cid, period="today"))
    if i == 2:
        return _job(state, flow, BuildReport("amplify_link_recap", cid, period="yesterday"))
    if i == 3:
        return stay(state, flow, NOT_YET)
    if i == 4:
        return show(
            state, flow, Step.MODE, ev.ctx, report="amplify_attendance", platform="", back="2"
        )
    return stay(state, flow, f"{INVALID}\n{render(Step.AMPLIFY_REPORTS, flow, ev.ctx)}")


def on_engagement_menu(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    c, i = _client(flow, ev.ctx), _number(ev.text, 2)
    if i == 1:
        if not c.instagram_enabled:
            return stay(state, flow, "Absensi Instagram belum aktif untuk client ini.")
        return show(
            state,
            flow,
            Step.MODE,
            ev.ctx,
            report="likes_attendance",
            platform="instagram",
            back="3",
        )
    if i == 2:
        if not c.tiktok_enabled:
            return stay(state, flow, "Absensi TikTok belum aktif untuk client ini.")
        return show(
            state,
            flow,
            Step.MODE,
            ev.ctx,
            report="comments_attendance",
            platform="tiktok",
            back="3",
        )
    return stay(state, flow, f"{INVALID}\n{render(Step.ENGAGEMENT_MENU, flow, ev.ctx)}")


def on_mode(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    i = _number(ev.text, 3)
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.MODE, flow, ev.ctx)}")
    report = BuildReport(
        flow.get("report"), flow.get("client"), flow.get("platform") or None, MODES[i - 1]
    )
    return _job(state, flow, report)


# ---- staff by NRP


def on_ask_nrp(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    nrp = fields.parse_nrp(ev.text)
    if isinstance(nrp, Rejected):
        return stay(state, flow, f"{nrp.reason}\n{BACK_FOOTER}")
    return ask(state, flow.put(nrp=nrp), FindStaff(nrp))


def _ours(s: StaffView, flow: Flow) -> bool:
    return s.client_id == flow.get("client") and "operator" in s.roles


def on_staff_found(state: ChatState, flow: Flow, ev: Answered, ans: StaffFound) -> Out:
    s, nrp, action = ans.staff, flow.get("nrp"), flow.get("action")
    card = "👤 *Data User*"
    if action == "add":
        if s is None:
            return goto(
                state, flow, Step.ADD_NAME, f"NRP/NIP *{nrp}* belum terdaftar. Ketik *Nama*:"
            )
        if _ours(s, flow):
            return show(
                state,
                flow,
                Step.USER_MENU,
                ev.ctx,
                "ℹ️ User sudah terdaftar.",
                staff_card(s, card, "full"),
            )
        return show(
            state,
            flow,
            Step.USER_MENU,
            ev.ctx,
            f"❌ NRP/NIP *{nrp}* sudah terdaftar di client lain.",
        )
    if s is None or not _ours(s, flow):
        return stay(
            state,
            flow,
            f"❌ NRP/NIP *{nrp}* tidak ditemukan di client ini. Ketik NRP/NIP lain.\n{BACK_FOOTER}",
        )
    flow = replace(flow, staff=s)
    if action == "password":
        return _password_link(state, flow, ev, s)
    if action == "check":
        return show(state, flow, Step.USER_MENU, ev.ctx, staff_card(s, card, "full"))
    if action == "status":
        return show(state, flow, Step.STATUS_CHOICE, ev.ctx, staff_card(s, card, "full"))
    return show(state, flow, Step.EDIT_FIELD, ev.ctx, staff_card(s, card, "full"))


def _new_staff(flow: Flow) -> StaffView:
    return StaffView(nrp=flow.get("nrp"), client_id=flow.get("client"), roles=("operator",))


def on_add_name(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    v = fields.parse_text(ev.text, "Nama")
    if isinstance(v, Rejected):
        return stay(state, flow, v.reason)
    return goto(
        state, flow, Step.ADD_RANK, fields.prompt(Field.RANK, _new_staff(flow), ev.ctx), name=v
    )


def on_add_rank(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    v = fields.parse(Field.RANK, ev.text, _new_staff(flow), ev.ctx)
    if isinstance(v, Rejected):
        return stay(state, flow, v.reason)
    return goto(
        state, flow, Step.ADD_UNIT, fields.prompt(Field.UNIT, _new_staff(flow), ev.ctx), rank=v
    )


def on_add_unit(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    v = fields.parse(Field.UNIT, ev.text, _new_staff(flow), ev.ctx)
    if isinstance(v, Rejected):
        return stay(state, flow, v.reason)
    return goto(state, flow, Step.ADD_POSITION, "Ketik *Jabatan*:", unit=v)


def on_add_position(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    v = fields.parse_text(ev.text, "Jabatan")
    if isinstance(v, Rejected):
        return stay(state, flow, v.reason)
    c = _client(flow, ev.ctx)
    g = flow.get
    new = CreateStaff(g("nrp"), g("name"), g("rank"), g("unit"), v, c.client_id)
    view = replace(
        _new_staff(flow),
        name=new.name,
        rank=new.rank,
        unit=new.unit,
        position=v,
        client_name=c.name,
    )
    text = f"✅ User baru ditambahkan.\n{staff_card(view, '👤 *Data User*', 'full')}"
    return show(state, flow, Step.USER_MENU, ev.ctx, new, text)


def on_edit_field(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, i = flow.staff, _number(ev.text, 8)
    if s is None:
        raise AssertionError("edit without a staff record")
    if i == 8:
        return goto(
            state,
            flow,
            Step.CONFIRM_CLEAR_WA,
            f"Hapus nomor WhatsApp NRP {s.nrp}? Balas *ya* untuk menghapus.",
        )
    if i is None:
        return stay(state, flow, f"{INVALID}\n{render(Step.EDIT_FIELD, flow, ev.ctx)}")
    f = EDIT_FIELDS[i - 1]
    return goto(state, flow, Step.EDIT_VALUE, fields.prompt(f, s, ev.ctx), field=f.value)


def _edited(state: ChatState, flow: Flow, ctx: Context, f: Field, value: str | None) -> Out:
    if flow.staff is None:
        raise AssertionError("edit without a staff record")
    new, write, text = fields.save(flow.staff, f, value)
    moved = replace(flow, staff=new, step=Step.USER_MENU)
    return stay(state, moved, write, f"{text}\n\n{render(Step.USER_MENU, moved, ctx)}")


def on_edit_value(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, f = flow.staff, Field(flow.get("field"))
    if s is None:
        raise AssertionError("edit without a staff record")
    v = fields.parse(f, ev.text, s, ev.ctx)
    if isinstance(v, Rejected):
        return stay(state, flow, f"{v.reason}\n{BACK_FOOTER}")
    if f is Field.WHATSAPP and v == ev.ctx.identity.phone:
        return stay(
            state, flow, "❌ Nomor operator tidak boleh dipakai untuk user lain. Ketik nomor lain."
        )
    q = fields.uniqueness_query(f, v, s)
    if q is None:
        return _edited(state, flow, ev.ctx, f, v)
    return ask(state, flow.put(value=v), q)


def on_owner(state: ChatState, flow: Flow, ev: Answered, ans: HandleOwner | PhoneOwner) -> Out:
    f, v = Field(flow.get("field")), flow.get("value")
    if ans.owner_nrp is not None and (flow.staff is None or ans.owner_nrp != flow.staff.nrp):
        return stay(state, flow, fields.taken_text(f, v))
    return _edited(state, flow, ev.ctx, f, v)


def on_confirm_clear_wa(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    if word(ev.text) in YES:
        return _edited(state, flow, ev.ctx, Field.WHATSAPP, None)
    return show(state, flow, Step.EDIT_FIELD, ev.ctx, "Nomor WhatsApp tidak dihapus.")


def on_status_choice(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s, i = flow.staff, _number(ev.text, 2)
    if s is None:
        raise AssertionError("status without a staff record")
    if i == 1:
        return show(
            state,
            flow,
            Step.USER_MENU,
            ev.ctx,
            SetStaffActive(s.nrp, True),
            f"✅ Status NRP {s.nrp}: AKTIF.",
        )
    if i == 2:
        if len(s.roles) > 1:
            roles = numbered(s.roles)
            return goto(
                state,
                flow,
                Step.STATUS_ROLE,
                f"User memiliki beberapa role. Nonaktifkan role:\n{roles}\n{BACK_FOOTER}",
            )
        return show(
            state,
            flow,
            Step.USER_MENU,
            ev.ctx,
            SetStaffActive(s.nrp, False),
            f"✅ Status NRP {s.nrp}: NONAKTIF.",
        )
    return stay(state, flow, f"{INVALID}\n{render(Step.STATUS_CHOICE, flow, ev.ctx)}")


def on_status_role(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    s = flow.staff
    if s is None:
        raise AssertionError("status without a staff record")
    i = _number(ev.text, len(s.roles))
    if i is None:
        return stay(state, flow, f"{INVALID} Balas nomor role.\n{numbered(s.roles)}")
    role = s.roles[i - 1]
    return show(
        state,
        flow,
        Step.USER_MENU,
        ev.ctx,
        DropStaffRole(s.nrp, role),
        f"✅ Role *{role}* dilepas dari NRP {s.nrp}.",
    )


TEXT: dict[Step, TextHandler] = {
    Step.CHOOSE_CLIENT: on_choose_client,
    Step.MAIN: on_main,
    Step.USER_MENU: on_user_menu,
    Step.AMPLIFY_MENU: on_amplify_menu,
    Step.AMPLIFY_TASKS: on_amplify_tasks,
    Step.AMPLIFY_REPORTS: on_amplify_reports,
    Step.ENGAGEMENT_MENU: on_engagement_menu,
    Step.MODE: on_mode,
    Step.ASK_NRP: on_ask_nrp,
    Step.ADD_NAME: on_add_name,
    Step.ADD_RANK: on_add_rank,
    Step.ADD_UNIT: on_add_unit,
    Step.ADD_POSITION: on_add_position,
    Step.EDIT_FIELD: on_edit_field,
    Step.EDIT_VALUE: on_edit_value,
    Step.CONFIRM_CLEAR_WA: on_confirm_clear_wa,
    Step.STATUS_CHOICE: on_status_choice,
    Step.STATUS_ROLE: on_status_role,
}


def _password_link(state: ChatState, flow: Flow, ev: Answered, s: StaffView) -> Out:
    """The link goes to the member's own bound number; the operator only hears that it went."""
    if not s.active:
        return show(state, flow, Step.USER_MENU, ev.ctx, f"❌ NRP/NIP *{s.nrp}* tidak aktif.")
    if not s.whatsapp:
        return show(
            state, flow, Step.USER_MENU, ev.ctx,
            f"❌ *{s.name}* belum menghubungkan nomor WhatsApp. Minta yang bersangkutan mengetik "
            "*userrequest* lebih dulu.",
        )  # fmt: skip
    by = f"operator:{ev.ctx.identity.phone or ''}"
    query = IssuePasswordLink(s.nrp, s.whatsapp, by, ev.ctx.session.value, ev.ctx.config.web_url)
    return ask(state, flow, query)


def on_link_sent(state: ChatState, flow: Flow, ev: Answered, ans: PasswordLinkSent) -> Out:
    s = flow.staff
    name = s.name if s is not None else flow.get("nrp")
    if not ans.sent:
        text = "⏳ Link password baru saja dikirim. Coba lagi sebentar lagi."
    else:
        text = (
            f"✅ Link password aplikasi telah dikirim ke nomor WhatsApp *{name}* (berlaku 15 "
            "menit). Operator tidak dapat melihat isinya."
        )
    return show(state, flow, Step.USER_MENU, ev.ctx, text)


ANSWER: dict[tuple[Step, type], AnswerHandler] = dict([
    on_answer(Step.ASK_NRP, StaffFound, on_staff_found),
    on_answer(Step.ASK_NRP, PasswordLinkSent, on_link_sent),
    on_answer(Step.EDIT_VALUE, HandleOwner, on_owner),
    on_answer(Step.EDIT_VALUE, PhoneOwner, on_owner),
])

_MODE_PARENT = {"2": Step.AMPLIFY_REPORTS, "3": Step.ENGAGEMENT_MENU}


def back(state: ChatState, flow: Flow, ev: TextIn) -> Out | None:
    """`0`/`kembali`/`back`: one level up; None where there is no parent (caller says so)."""
    step = Step(flow.step)
    if step is Step.MODE:
        parent: Step | None = _MODE_PARENT.get(flow.get("back"), Step.MAIN)
    elif step is Step.MAIN and len(_clients(ev.ctx)) > 1:
        parent = Step.CHOOSE_CLIENT
    else:
        parent = PARENT.get(step)
    if parent is None:
        return None
    return show(state, flow, parent, ev.ctx)


def menu(state: ChatState, flow: Flow, ev: TextIn) -> Out:
    if not flow.get("client"):
        return show(state, flow, Step.CHOOSE_CLIENT, ev.ctx)
    return show(state, flow, Step.MAIN, ev.ctx)


def still_allowed(flow: Flow, ctx: Context) -> bool:
    cid = flow.get("client")
    return not cid or any(c.client_id == cid for c in _clients(ctx))
