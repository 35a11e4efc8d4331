"""A tiny in-memory router for tests: loads facts, answers lookups, applies effects.

It plays the part of the real router (another module) closely enough to replay
conversations against the pure machine; it is not a model of the database.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from cicero.domain.auth import otp
from cicero.domain.auth import password_links as links
from cicero.domain.menus import handle
from cicero.domain.menus.model import (
    Answered,
    BindWhatsapp,
    ChatState,
    CheckOtp,
    ClientInfo,
    ComplaintData,
    ComplaintFacts,
    Context,
    CreateStaff,
    DropStaffRole,
    Effect,
    FindHandleOwner,
    FindPhoneOwner,
    FindStaff,
    FindStaffMany,
    HandleOwner,
    IssueOtp,
    IssuePasswordLink,
    Lookup,
    MenuConfig,
    MoveStaff,
    OtpChecked,
    OtpIssued,
    PasswordLinkSent,
    PhoneOwner,
    Reply,
    Session,
    SetException,
    SetOptIn,
    SetStaffActive,
    StaffFound,
    StaffMany,
    StaffView,
    TextIn,
    Tick,
    UpdateStaff,
)
from cicero.domain.people.roles import ClientRow, DirectorateAccount, Facts, resolve

T0 = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)  # 09:00 WIB
SECRET = b"menus-world-server-secret-32-bytes!"  # the router hashes codes with one
ADMIN = "6281100000001"
OPERATOR = "6281300000001"
DIRLANTAS = "6281399900002"
MULTI = "6281399900003"  # two dashboard accounts: ditbinmas (satker SUKAMAJU) and ditlantas
ACCOUNTS = {
    DIRLANTAS: (DirectorateAccount("ditlantas"),),
    MULTI: (DirectorateAccount("ditbinmas", ("SUKAMAJU",), name="DIR BINMAS"),
            DirectorateAccount("ditlantas")),
}  # fmt: skip

CLIENTS = (
    ClientInfo(
        "SUKAMAJU", "POLRES SUKAMAJU", "ORG", True, True, True, ("SAT BINMAS", "SAT LANTAS")
    ),
    ClientInfo("LAINNYA", "POLRES LAINNYA", "ORG", True, False, False, ("SAT BINMAS",)),
    ClientInfo("DITLANTAS", "DITLANTAS", "DIREKTORAT"),
    ClientInfo("DITBINMAS", "DITBINMAS", "DIREKTORAT"),
)
OPERATOR_WA = {"SUKAMAJU": OPERATOR, "LAINNYA": "6281300000099"}


def andi() -> StaffView:
    return StaffView(
        "89050123", "ANDI PRATAMA", "BRIPTU", "SAT BINMAS", "BA", client_id="SUKAMAJU",
        client_name="POLRES SUKAMAJU", roles=("operator",),
    )  # fmt: skip


def rina() -> StaffView:
    return StaffView(
        "89050124", "RINA", "BRIPDA", "SAT LANTAS", "BA", client_id="SUKAMAJU",
        client_name="POLRES SUKAMAJU", whatsapp="6281234500022", roles=("operator",),
    )  # fmt: skip


def other_tiktok_owner() -> StaffView:
    return StaffView(
        "77770000", "BUDI", "AIPDA", client_id="LAINNYA", tiktok="rina.tt", roles=("operator",)
    )


@dataclass
class World:
    staff: dict[str, StaffView] = field(
        default_factory=lambda: {s.nrp: s for s in (andi(), rina(), other_tiktok_owner())}
    )
    config: MenuConfig = field(default_factory=MenuConfig)
    states: dict[tuple[Session, str], ChatState] = field(default_factory=dict)
    likes: dict[str, int] = field(default_factory=dict)
    otp_rows: dict[str, otp.OtpRecord] = field(default_factory=dict)
    # "Password aplikasi" links queued: (nrp, to, requested_by, session, at)
    links: list[tuple[str, str, str, str, datetime]] = field(default_factory=list)
    otp_draw: int = 123456
    effects: list[Effect] = field(default_factory=list)  # everything but replies and lookups
    emails: list[otp.OtpMail] = field(default_factory=list)

    def context(self, phone: str, session: Session, group: frozenset[str] | None) -> Context:
        rows = tuple(ClientRow(c.client_id, OPERATOR_WA.get(c.client_id)) for c in CLIENTS)
        accounts = ACCOUNTS.get(phone, ())
        me = next((s for s in self.staff.values() if s.whatsapp == phone), None)
        ident = resolve(
            Facts(
                phone=phone,
                admin_numbers=frozenset({ADMIN}),
                clients=tuple(r for r in rows if r.operator_wa == phone),
                directorate_accounts=accounts,
                staff_nrp=me.nrp if me else None,
                staff_active=bool(me and me.active),
            )
        )
        return Context(ident, session, group, CLIENTS, self._full(me), self.config)

    def _full(self, s: StaffView | None) -> StaffView | None:
        if s is None:
            return None
        c = next(c for c in CLIENTS if c.client_id == s.client_id)
        return replace(s, units=c.units, client_name=c.name)

    def send(
        self,
        phone: str,
        text: str,
        at: datetime = T0,
        session: Session = Session.OPERATOR,
        group: frozenset[str] | None = None,
        chat: str | None = None,
    ) -> str | None:
        """One inbound; returns the reply text (None: silent)."""
        key = (session, chat or phone)
        state = self.states.get(key, ChatState())
        ctx = self.context(phone, session, group)
        state, effects = handle(state, TextIn(at, text, ctx))
        replies: list[str] = []
        while True:
            replies += [e.text for e in effects if isinstance(e, Reply)]
            lookups = [e for e in effects if isinstance(e, Lookup)]
            self._apply([e for e in effects if not isinstance(e, Reply | Lookup)])
            assert len(lookups) <= 1
            if not lookups:
                break
            ctx = self.context(phone, session, group)
            state, effects = handle(state, Answered(at, self._answer(lookups[0], at), ctx))
        # The stored value is JSON: make every step go through it, as the router does.
        self.states[key] = ChatState.from_json(state.to_json())
        assert len(replies) <= 1
        return replies[0] if replies else None

    def tick(self, at: datetime) -> dict[tuple[Session, str], str]:
        said = {}
        for key, state in list(self.states.items()):
            new, effects = handle(state, Tick(at))
            self.states[key] = new
            for e in effects:
                if isinstance(e, Reply):
                    said[key] = e.text
        return said

    def _answer(self, lookup: Lookup, at: datetime):
        q = lookup.query
        active = [s for s in self.staff.values() if s.active]
        match q:
            case FindStaff(nrp):
                return StaffFound(nrp, self._full(self.staff.get(nrp)))
            case FindStaffMany(nrps):
                return StaffMany(tuple(self._full(self.staff[n]) for n in nrps if n in self.staff))
            case FindHandleOwner(platform, handle):
                owner = next((s.nrp for s in active if getattr(s, platform) == handle), None)
                return HandleOwner(platform, handle, owner)
            case FindPhoneOwner(phone):
                return PhoneOwner(
                    phone, next((s.nrp for s in self.staff.values() if s.whatsapp == phone), None)
                )
            case IssueOtp(nrp, email):
                out = otp.issue(nrp, email, self.otp_draw, at, secret=SECRET)
                if isinstance(out, otp.Issued):
                    self.otp_rows[nrp] = out.record
                    self.emails.append(out.mail)
                return OtpIssued(isinstance(out, otp.Issued))
            case CheckOtp(nrp, code):
                v = otp.verify(self.otp_rows.get(nrp), code, at, secret=SECRET)
                if v.record is None:
                    self.otp_rows.pop(nrp, None)
                else:
                    self.otp_rows[nrp] = v.record
                return OtpChecked(v.check.value, v.tries_left)
            case IssuePasswordLink(nrp, phone, by, session, _base):
                fresh = links.may_issue(tuple(t for n, *_, t in self.links if n == nrp), at)
                if fresh:
                    self.links.append((nrp, phone, by, session, at))
                return PasswordLinkSent(fresh)
            case ComplaintFacts(nrp, _ig, _tt):
                return ComplaintData(
                    nrp, self._full(self.staff.get(nrp)), likes_in_window=self.likes.get(nrp, 0)
                )
        raise AssertionError(q)

    def _apply(self, effects: list[Effect]) -> None:
        for e in effects:
            self.effects.append(e)
            match e:
                case UpdateStaff(nrp, f, v):
                    self.staff[nrp] = replace(self.staff[nrp], **{f: v})
                case BindWhatsapp(nrp, phone):
                    for k, s in list(self.staff.items()):
                        if s.whatsapp == phone:
                            self.staff[k] = replace(s, whatsapp=None)
                    self.staff[nrp] = replace(self.staff[nrp], whatsapp=phone)
                case CreateStaff(nrp, name, rank, unit, position, client_id, role):
                    self.staff[nrp] = StaffView(
                        nrp, name, rank, unit, position, client_id=client_id, roles=(role,)
                    )
                case SetStaffActive(nrp, active):
                    self.staff[nrp] = replace(self.staff[nrp], active=active)
                case DropStaffRole(nrp, role):
                    s = self.staff[nrp]
                    roles = tuple(r for r in s.roles if r != role)
                    self.staff[nrp] = replace(s, roles=roles, active=s.active and bool(roles))
                case SetException(nrp, on):
                    self.staff[nrp] = replace(self.staff[nrp], exception=on)
                case MoveStaff(nrp, client_id):
                    self.staff[nrp] = replace(self.staff[nrp], client_id=client_id)
                case SetOptIn():
                    pass


def later(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)
