"""Values of the menu machine: facts in, events, effects out, and the stored chat state.

The router (another module) loads a `Context` per message, calls `menus.handle(state, event)`,
performs the effects and stores the new `ChatState` in the same transaction. A `Lookup` effect
is a question the machine cannot answer from the facts (an NRP typed by hand, who owns a
username); the router answers it at once with an `Answer` event, still in that transaction,
so a flow that is `awaiting` never sees a `TextIn` (that would be `MenuMisuse`).
"""

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cicero.domain.people.roles import Identity

REPLY_LIMIT = 15_000  # characters of one WhatsApp text we allow ourselves
STATE_VERSION = 1


class MenuMisuse(Exception):
    """Our bug (an impossible state or event order), never a person's typing."""


TRUNCATED = "\n…(pesan dipotong)"


def clip(text: str, limit: int = REPLY_LIMIT) -> str:
    """Long echoes of a person's text must not break WhatsApp's limit."""
    return text if len(text) <= limit else text[: limit - len(TRUNCATED)] + TRUNCATED


# ---------------------------------------------------------------- facts


class Session(StrEnum):
    OPERATOR = "operator"
    USER = "user"
    GATEWAY = "gateway"


DEFAULT_RANKS = (
    "KBP", "AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "AIPDA", "BRIPKA", "BRIGPOL",
    "BRIPTU", "BRIPDA", "PEMBINA UTAMA", "PEMBINA", "PENATA", "PENGATUR", "JURU", "PPPK", "PHL",
)  # fmt: skip
DEFAULT_EXTRA_UNITS = ("SUBBID MULTIMEDIA", "SUBBID PENMAS", "SUBBID PID", "SUB BAG RENMIN")


@dataclass(frozen=True)
class MenuConfig:
    """Configuration the menus read (loaded once from cicero.toml)."""

    idle_timeout: timedelta = timedelta(minutes=5)
    ranks: tuple[str, ...] = DEFAULT_RANKS  # by seniority
    extra_units: tuple[str, ...] = DEFAULT_EXTRA_UNITS
    reserved_names: frozenset[str] = frozenset({"cicero_devs"})
    user_session_number: str | None = None  # set when a `user` session is configured
    claim_link: str = ""
    web_url: str = "http://127.0.0.1:8080"  # where the password page is (config web.public_url)
    lookback_label: str = ""  # e.g. "1 September 2025": start of the complaint look-back window
    hint_every: timedelta = timedelta(hours=24)
    refusal_every: timedelta = timedelta(hours=1)
    nrp_fail_limit: int = 5
    nrp_lock: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class StaffView:
    """A staff row as the menus show it (router: staff + its client's name, units and roles)."""

    nrp: str
    name: str = ""
    rank: str = ""
    unit: str = ""
    position: str = ""
    village: str = ""
    client_id: str = ""
    client_name: str = ""
    instagram: str | None = None
    tiktok: str | None = None
    whatsapp: str | None = None
    email: str | None = None
    active: bool = True
    exception: bool = False  # counted as done whatever the engagement (data.md §4.4)
    roles: tuple[str, ...] = ()  # staff_role names
    units: tuple[str, ...] = ()  # the client's satfung list (without config extras)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "StaffView":
        return cls(**{**d, "roles": tuple(d.get("roles", ())), "units": tuple(d.get("units", ()))})


@dataclass(frozen=True)
class ClientInfo:
    client_id: str
    name: str
    type: str = "ORG"  # ORG or DIREKTORAT
    instagram_enabled: bool = True
    tiktok_enabled: bool = True
    amplify_enabled: bool = False
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything the router loads before one step. Plain values only."""

    identity: Identity
    session: Session = Session.OPERATOR
    group_clients: frozenset[str] | None = None  # None: a DM; else an allowed group's clients
    clients: tuple[ClientInfo, ...] = ()  # every client the sender's scopes may name
    me: StaffView | None = None  # the staff row bound to the sender's number
    config: MenuConfig = field(default_factory=MenuConfig)

    @property
    def in_group(self) -> bool:
        return self.group_clients is not None

    def client(self, client_id: str) -> ClientInfo | None:
        return next((c for c in self.clients if c.client_id == client_id), None)


# ---------------------------------------------------------------- lookups (questions) and answers


@dataclass(frozen=True)
class FindStaff:
    nrp: str


@dataclass(frozen=True)
class FindHandleOwner:
    platform: str  # instagram / tiktok
    handle: str  # canonical


@dataclass(frozen=True)
class FindPhoneOwner:
    phone: str


@dataclass(frozen=True)
class IssueOtp:
    """Router: otp.issue(...) with a secrets draw, store the row, queue the email."""

    nrp: str
    email: str


@dataclass(frozen=True)
class CheckOtp:
    """Router: otp.verify(stored row, code, now), store the verdict's row."""

    nrp: str
    code: str


@dataclass(frozen=True)
class ComplaintFacts:
    """Router: staff row, engagement counts in the look-back window, today's tasks lacking a
    link report from this NRP, and the latest stored account metrics."""

    nrp: str
    instagram: str | None  # handle the reporter wrote
    tiktok: str | None


@dataclass(frozen=True)
class IssuePasswordLink:
    """Router: a "Password aplikasi" link for `nrp`, queued to its bound number `phone` from
    `session` (the member asked, or their operator: they never see the link)."""

    nrp: str
    phone: str
    requested_by: str  # "self" or "operator:<number>"
    session: str
    base_url: str


@dataclass(frozen=True)
class FindStaffMany:
    """Several staff rows at once (a bulk deactivation list; one question, not one per NRP)."""

    nrps: tuple[str, ...]


Query = (
    FindStaff | FindHandleOwner | FindPhoneOwner | IssueOtp | CheckOtp | ComplaintFacts
    | FindStaffMany | IssuePasswordLink
)  # fmt: skip


@dataclass(frozen=True)
class StaffFound:
    nrp: str
    staff: StaffView | None


@dataclass(frozen=True)
class HandleOwner:
    platform: str
    handle: str
    owner_nrp: str | None  # an *active* staff member holding it


@dataclass(frozen=True)
class PhoneOwner:
    phone: str
    owner_nrp: str | None


@dataclass(frozen=True)
class OtpIssued:
    sent: bool  # False: throttled


@dataclass(frozen=True)
class PasswordLinkSent:
    sent: bool  # False: one was sent less than a minute ago (or five this hour)


@dataclass(frozen=True)
class OtpChecked:
    check: str  # otp.Check value
    tries_left: int = 0


@dataclass(frozen=True)
class AccountMetrics:
    ig_posts: int = 0
    ig_followers: int = 0
    ig_following: int = 0
    ig_private: bool = False
    tiktok_videos: int = 0
    tiktok_followers: int = 0
    tiktok_following: int = 0
    tiktok_likes: int = 0

    @property
    def all_zero(self) -> bool:
        return not any(
            (self.ig_posts, self.ig_followers, self.ig_following, self.tiktok_videos,
             self.tiktok_followers, self.tiktok_following, self.tiktok_likes)
        )  # fmt: skip


@dataclass(frozen=True)
class ComplaintData:
    nrp: str
    staff: StaffView | None
    likes_in_window: int = 0  # posts of the staff's client liked by the stored IG handle
    comments_in_window: int = 0
    reported_ig_found: bool = False  # the reported handle (if other) has likes in the window
    reported_tiktok_found: bool = False
    tasks_missing: tuple[str, ...] = ()  # today's task labels/links lacking a link report
    metrics: AccountMetrics | None = None  # None: not known yet (a job fetches it)


@dataclass(frozen=True)
class StaffMany:
    staff: tuple[StaffView, ...]  # the rows found, any order; missing NRPs are absent


Answer = (
    StaffFound | HandleOwner | PhoneOwner | OtpIssued | OtpChecked | ComplaintData | StaffMany
    | PasswordLinkSent
)  # fmt: skip


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class TextIn:
    at: datetime
    text: str
    ctx: Context


@dataclass(frozen=True)
class Answered:
    """The answer to the `Lookup` the state is awaiting, in the same transaction."""

    at: datetime
    answer: Answer
    ctx: Context


@dataclass(frozen=True)
class Tick:
    """The expiry sweep (Clock, ≤ 30 s)."""

    at: datetime


Event = TextIn | Answered | Tick


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class Reply:
    """One text back to the chat the event came from (≤ 1 per inbound)."""

    text: str

    def __post_init__(self) -> None:
        if not self.text or len(self.text) > REPLY_LIMIT:
            raise MenuMisuse(f"reply of {len(self.text)} characters")


@dataclass(frozen=True)
class SendText:
    """A text to another chat (a complaint's reporter), via the receiving session's outbox."""

    to: str
    text: str


@dataclass(frozen=True)
class SendEmail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Lookup:
    query: Query


@dataclass(frozen=True)
class BuildReport:
    """A job: render report `report_key` for `scope` and send it to `reply_to` (this chat)."""

    report_key: str
    scope: str  # client id
    platform: str | None = None
    mode: str | None = None  # semua / sudah / belum
    period: str | None = None
    cumulative: bool = False
    nrp: str | None = None


@dataclass(frozen=True)
class DecideDashboardAccount:
    """`approvedash#` / `denydash#` (menus.md §3.5): an admin decides on a dashboard
    registration; answered in the step's transaction (cicero.conversations.dashboard_accounts)."""

    username: str
    approve: bool
    role: str | None = None  # approval: the role to give (default: as asked)
    client_ids: tuple[str, ...] | None = None  # approval: the clients (default: as asked)
    reason: str = ""  # rejection: told to the applicant


@dataclass(frozen=True)
class TriggerFetch:
    client: str
    platform: str  # instagram / tiktok
    what: str = "posts"  # posts / likes / comments / all
    then_report: str | None = None  # report key to build once the fetch is done


@dataclass(frozen=True)
class UpdateStaff:
    nrp: str
    field: str  # staff column: name, rank, unit, position, village, instagram, tiktok, whatsapp
    value: str | None
    reason: str = ""  # for the audit log (a bulk deactivation's "alasan")


@dataclass(frozen=True)
class BindWhatsapp:
    """staff.whatsapp = phone (unbinding any other holder after an OTP), plus an audit row."""

    nrp: str
    phone: str


@dataclass(frozen=True)
class CreateStaff:
    nrp: str
    name: str
    rank: str
    unit: str
    position: str
    client_id: str
    role: str = "operator"


@dataclass(frozen=True)
class SetStaffActive:
    nrp: str
    active: bool
    reason: str = ""


@dataclass(frozen=True)
class DropStaffRole:
    """Remove one role; losing the last one makes the staff inactive (data spec)."""

    nrp: str
    role: str
    reason: str = ""


@dataclass(frozen=True)
class SetException:
    """staff.exception: counted as done whatever the engagement (data.md §4.4)."""

    nrp: str
    on: bool


@dataclass(frozen=True)
class MoveStaff:
    """staff.client_id: the person now belongs to another client (admin only)."""

    nrp: str
    client_id: str


@dataclass(frozen=True)
class SetOptIn:
    nrp: str
    on: bool


Effect = (
    Reply | SendText | SendEmail | Lookup | BuildReport | TriggerFetch | UpdateStaff
    | BindWhatsapp | CreateStaff | SetStaffActive | DropStaffRole | SetOptIn | SetException
    | MoveStaff | DecideDashboardAccount
)  # fmt: skip


# ---------------------------------------------------------------- state


class Machine(StrEnum):
    USER = "userrequest"
    OPERATOR = "oprrequest"
    DIRECTORATE = "dirrequest"
    DASHBOARD = "dashrequest"
    CLIENT_ADMIN = "clientrequest"
    COMPLAINT = "complaint"  # a complaint awaiting its facts, or the handler's solution


@dataclass(frozen=True)
class Flow:
    """An open conversation: which machine, which step, what it has collected."""

    machine: Machine
    step: str
    expires_at: datetime
    data: tuple[tuple[str, str], ...] = ()
    staff: StaffView | None = None  # the record this flow works on
    awaiting: str | None = None  # the Lookup query type answered in this same transaction

    def get(self, key: str, default: str = "") -> str:
        return dict(self.data).get(key, default)

    def put(self, **kv: str) -> "Flow":
        merged = dict(self.data) | kv
        return replace(self, data=tuple(sorted(merged.items())))


@dataclass(frozen=True)
class ChatState:
    """All we keep per (session, chat)."""

    flow: Flow | None = None
    hint_sent_at: datetime | None = None
    refusals: tuple[tuple[str, datetime], ...] = ()  # keyword → last refusal notice
    nrp_failures: tuple[datetime, ...] = ()  # unknown NRPs typed in this chat
    locked_until: datetime | None = None
    version: int = STATE_VERSION

    def to_json(self) -> str:
        return json.dumps(_to_obj(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ChatState":
        obj = json.loads(text)
        if obj.get("version") != STATE_VERSION:
            raise MenuMisuse(f"chat state version {obj.get('version')!r}")
        return _from_obj(obj)


def _ts(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _dt(s: str | None) -> datetime | None:
    return None if s is None else _when(s)


def _when(s: str) -> datetime:
    t = datetime.fromisoformat(s)
    if t.tzinfo is None:
        raise MenuMisuse(f"naive time in chat state: {s}")
    return t


def _to_obj(s: ChatState) -> dict[str, Any]:
    f = s.flow
    return {
        "version": s.version,
        "flow": None
        if f is None
        else {
            "machine": f.machine.value,
            "step": f.step,
            "expires_at": _ts(f.expires_at),
            "data": dict(f.data),
            "staff": None if f.staff is None else f.staff.to_dict(),
            "awaiting": f.awaiting,
        },
        "hint_sent_at": _ts(s.hint_sent_at),
        "refusals": {k: _ts(t) for k, t in s.refusals},
        "nrp_failures": [_ts(t) for t in s.nrp_failures],
        "locked_until": _ts(s.locked_until),
    }


def _from_obj(o: dict[str, Any]) -> ChatState:
    f = o.get("flow")
    flow = None
    if f is not None:
        flow = Flow(
            machine=Machine(f["machine"]),
            step=str(f["step"]),
            expires_at=_when(f["expires_at"]),
            data=tuple(sorted((str(k), str(v)) for k, v in f.get("data", {}).items())),
            staff=None if f.get("staff") is None else StaffView.from_dict(f["staff"]),
            awaiting=f.get("awaiting"),
        )
    return ChatState(
        flow=flow,
        hint_sent_at=_dt(o.get("hint_sent_at")),
        refusals=tuple((k, _when(v)) for k, v in sorted(o.get("refusals", {}).items())),
        nrp_failures=tuple(_when(t) for t in o.get("nrp_failures", [])),
        locked_until=_dt(o.get("locked_until")),
        version=o["version"],
    )
