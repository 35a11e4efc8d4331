"""Reading a scenario file and checking it table by table: `load_scenario` reads the TOML,
`parse_scenario` checks all of it; every problem is reported, one line each, as
`table[i].key: problem`, in a `ScenarioError`; nothing of a bad scenario is returned.

Order matters only for references: [scenario] and [config] first (times, sessions),
then clients, users, posts, and the tables that point at them. A table whose own
values are bad is left out, but its id is still remembered, so one typo yields one
problem rather than one per reference to it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cicero.config.load import DEFAULT_CONFIG, ConfigError, merge, read_toml, validate
from cicero.config.schema import Config
from cicero.domain.people.phones import JidError, group_jid
from cicero.domain.people.roles import DIRECTORATE_ROLES
from cicero.domain.people.usernames import InvalidUsername, Platform, canonical_username
from cicero.sim.checks import (
    Bad,
    Table,
    array_of_tables,
    boolean,
    choice,
    instant,
    integer,
    kind_of,
    matching,
    message_text,
    nonempty,
    phone,
    show,
    text,
)
from cicero.sim.events import EVENT_KINDS, Event, EventContext, parse_event
from cicero.sim.scenario import (
    LINK_PLATFORMS,
    ClientType,
    DirectorateUser,
    Engagement,
    LinkReport,
    Scenario,
    ScenarioClient,
    ScenarioError,
    ScenarioPost,
    ScenarioUser,
    SessionStart,
)

TABLES = (
    "scenario",
    "sessions",
    "config",
    "client",
    "user",
    "directorate_user",
    "post",
    "engagement",
    "link_report",
    "event",
)
SCENARIO_KEYS = ("name", "start", "end", "seed", "admins")
CLIENT_KEYS = (
    "id",
    "name",
    "type",
    "instagram",
    "tiktok",
    "group",
    "operators",
    "supers",
    "directorates",
    "amplify",
    "active",
)
USER_KEYS = (
    "nrp",
    "name",
    "rank",
    "unit",
    "position",
    "client",
    "instagram",
    "tiktok",
    "whatsapp",
    "email",
    "roles",
    "exception",
    "active",
    "wa_opt_in",
    "password",
)
DIRECTORATE_USER_KEYS = ("whatsapp", "role", "clients", "name")
POST_KEYS = ("platform", "client", "id", "at", "caption", "removed_at")
ENGAGEMENT_KEYS = ("at", "post", "users")
LINK_REPORT_KEYS = ("at", "post", "nrp", "links")

SESSION_NAME = r"[a-z][a-z0-9_]*"
client_id = matching(r"[A-Z0-9_]+", "a client id (A-Z, 0-9 and _, e.g. POLRES_A)")
nrp = matching(r"\d{6,18}", "an NRP (6 to 18 digits, as text)")
email = matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an email address")
_POST_ID = {
    Platform.INSTAGRAM: re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII),
    Platform.TIKTOK: re.compile(r"\d{1,32}", re.ASCII),
}
_STATES = [s.value for s in SessionStart]
_PLATFORMS = [p.value for p in Platform]


@cache
def _default_config() -> Mapping[str, Any]:
    return MappingProxyType(read_toml(DEFAULT_CONFIG))


def _group(value: Any) -> str:
    try:
        return str(group_jid(text(value)))
    except JidError as err:
        raise Bad(str(err)) from None


def _username(platform: Platform) -> Any:
    def conv(value: Any) -> str:
        try:
            return canonical_username(text(value), platform)
        except InvalidUsername as err:
            raise Bad(f"{show(value)} is not a valid {platform} username ({err.reason})") from None

    return conv


class Parser:
    def __init__(self, supported: Collection[str] | None, base: Mapping[str, Any] | None) -> None:
        self.problems: list[str] = []
        self.supported = None if supported is None else frozenset(supported)
        self.base = _default_config() if base is None else base
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.client_ids: set[str] = set()  # every id given, even of a client left out
        self.clients: dict[str, ScenarioClient] = {}
        self.nrps: set[str] = set()
        self.users: dict[str, ScenarioUser] = {}
        # The values the database keeps unique, each with its holder's place in `users`: a
        # new user is checked by look-up, not against every earlier user.
        self.whatsapp_holders: dict[str, tuple[int, ScenarioUser]] = {}
        self.handle_holders: dict[str, dict[str, tuple[int, ScenarioUser]]] = {
            "instagram": {},
            "tiktok": {},
        }
        self.post_ids: set[str] = set()
        self.posts: dict[str, ScenarioPost] = {}

    def table(self, path: str, raw: Any) -> Table:
        return Table(path, raw, self.problems)

    # --- [scenario], [config], [sessions] ------------------------------------------
    def head(self, raw: Any) -> dict[str, Any]:
        t = self.table("scenario", raw)
        t.unknown_keys(SCENARIO_KEYS)
        head = {
            "name": t.get("name", text),
            "start": t.get("start", instant),
            "end": t.get("end", instant),
            "seed": t.get("seed", integer()),
            "admins": t.get_list("admins", phone, ()),
        }
        if head["start"] is not None and head["end"] is not None:
            if head["start"] < head["end"]:
                self.start, self.end = head["start"], head["end"]
            else:
                t.report("end", f"{head['end'].isoformat()} is not after start")
        return head

    def config(self, raw: Any, admins: tuple[str, ...] | None) -> Config | None:
        if raw is not None and not isinstance(raw, Mapping):
            self.problems.append(f"config: must be a table, got {kind_of(raw)}")
            raw = None
        merged = merge(self.base, raw or {})
        if admins:
            own = merged.get("admin_numbers", [])
            own = list(own) if isinstance(own, list | tuple) else [own]
            merged["admin_numbers"] = list(dict.fromkeys([*own, *admins]))
        try:
            return validate(merged, "config")
        except ConfigError as err:
            self.problems.extend(_config_problem(p) for p in err.problems)
            return None

    def sessions(self, raw: Any, config: Config | None) -> dict[str, SessionStart]:
        configured = list(config.sessions) if config is not None else []
        states = {name: SessionStart.READY for name in configured}
        if raw is None:
            return states
        t = self.table("sessions", raw)
        for name in t.data:
            if not isinstance(name, str) or not re.fullmatch(SESSION_NAME, name, re.ASCII):
                t.report(show(name), "is not a session name (a-z, 0-9 and _, e.g. gateway)")
                continue
            state = t.get(name, choice(_STATES, "a session state"))
            if config is not None and name not in configured:
                # The runtime runs the configured sessions only: events for another would
                # have no actor to reach.
                t.report(name, f"no such session in the config (configured: "
                               f"{', '.join(configured)}); add [config.sessions.{name}] "
                               "with its role to run one")  # fmt: skip
                continue
            states[name] = SessionStart(state) if state is not None else SessionStart.READY
        return states

    # --- clients and people --------------------------------------------------------
    def directorate_ids(self, config: Config | None, raw_clients: list[Any]) -> tuple[str, ...]:
        """Directorates a client or role may name: the known roles, config's, direktorat clients."""
        ids = set(DIRECTORATE_ROLES)
        if config is not None:
            ids.update(d.id.lower() for d in config.directorates)
        for raw in raw_clients:
            if isinstance(raw, Mapping) and raw.get("type") == ClientType.DIREKTORAT:
                cid = raw.get("id")
                if isinstance(cid, str) and re.fullmatch(r"[A-Z0-9_]+", cid, re.ASCII):
                    ids.add(cid.lower())
        return tuple(sorted(ids))

    def client(self, i: int, raw: Any, directorates: tuple[str, ...]) -> None:
        t = self.table(f"client[{i}]", raw)
        t.unknown_keys(CLIENT_KEYS)
        cid = t.get("id", client_id)
        if cid is not None:
            if cid in self.client_ids:
                t.report("id", f"{cid!r} is already the id of another client")
                cid = None
            else:
                self.client_ids.add(cid)
        directorate = _lower_choice(directorates, "a directorate")
        kind = t.get("type", choice([c.value for c in ClientType], "a client type"))
        fields = {
            "name": t.get("name", text),
            "type": ClientType(kind) if kind is not None else None,
            "instagram": t.get("instagram", _username(Platform.INSTAGRAM), None),
            "tiktok": t.get("tiktok", _username(Platform.TIKTOK), None),
            # Optional here although spec/scenario.md's example always has them: a client
            # without a group or operators is a case the runtime must handle (issue 7's bad
            # input), so a scenario may describe one.
            "group": t.get("group", _group, None),
            "operators": t.get_list("operators", phone, ()),
            "supers": t.get_list("supers", phone, ()),
            "directorates": t.get_list("directorates", directorate, ()),
            "amplify": t.get("amplify", boolean, False),
            "active": t.get("active", boolean, True),
        }
        if not t.failed and cid is not None:
            self.clients[cid] = ScenarioClient(id=cid, **fields)

    def user(self, i: int, raw: Any, roles: tuple[str, ...]) -> None:
        t = self.table(f"user[{i}]", raw)
        t.unknown_keys(USER_KEYS)
        key = t.get("nrp", nrp)
        if key is not None:
            if key in self.nrps:
                t.report("nrp", f"{key!r} is already the NRP of another user")
                key = None
            else:
                self.nrps.add(key)
        fields = {
            "name": t.get("name", text),
            "rank": t.get("rank", text),
            "unit": t.get("unit", text),
            "position": t.get("position", text),
            "client": t.get("client", self._client_ref),
            "instagram": t.get("instagram", _username(Platform.INSTAGRAM), None),
            "tiktok": t.get("tiktok", _username(Platform.TIKTOK), None),
            "whatsapp": t.get("whatsapp", phone, None),
            "email": t.get("email", email, None),
            "roles": t.get_list("roles", _lower_choice(roles, "a role"), ("operator",)),
            "exception": t.get("exception", boolean, False),
            "active": t.get("active", boolean, True),
            "wa_opt_in": t.get("wa_opt_in", boolean, False),
            "password": t.get("password", text, None),
        }
        if fields["roles"] == ():
            t.report("roles", "is empty; give at least one role (or set active = false)")
        if not t.failed:
            self._unique_user_fields(t, key, fields)
        if not t.failed and key is not None:
            self._add_user(ScenarioUser(nrp=key, **fields))

    def _add_user(self, user: ScenarioUser) -> None:
        place = (len(self.users), user)
        self.users[user.nrp] = user
        if user.whatsapp is not None:
            self.whatsapp_holders[user.whatsapp] = place
        if user.active:
            for platform, holders in self.handle_holders.items():
                handle = getattr(user, platform)
                if handle is not None:
                    holders[handle] = place

    def _unique_user_fields(self, t: Table, key: str | None, fields: dict[str, Any]) -> None:
        """The database's unique indexes: handles among active staff, WhatsApp among all.
        Users accepted so far hold distinct values, so each field clashes with at most one;
        clashes are reported in the order of the users clashed with, then field order."""
        clashes: list[tuple[int, int, str, str]] = []
        if fields["whatsapp"] is not None and fields["whatsapp"] in self.whatsapp_holders:
            place, other = self.whatsapp_holders[fields["whatsapp"]]
            clashes.append(
                (place, 0, "whatsapp", f"{fields['whatsapp']} is already user {other.nrp}'s number")
            )
        if fields["active"]:
            for order, (platform, holders) in enumerate(self.handle_holders.items(), start=1):
                mine = fields[platform]
                if mine is not None and mine in holders:
                    place, other = holders[mine]
                    message = f"{mine!r} is already active user {other.nrp}'s {platform}"
                    clashes.append((place, order, platform, message))
        for _, _, where, message in sorted(clashes):
            t.report(where, message)

    def directorate_user(
        self, i: int, raw: Any, roles: tuple[str, ...], seen: set[tuple[str, str]]
    ) -> DirectorateUser | None:
        t = self.table(f"directorate_user[{i}]", raw)
        t.unknown_keys(DIRECTORATE_USER_KEYS)
        number = t.get("whatsapp", phone)
        role = t.get("role", _lower_choice(roles, "a directorate role"))
        clients = t.get_list("clients", self._client_ref, ())
        name = t.get("name", text, "")
        if number is not None and role is not None:
            if (number, role) in seen:
                t.report("role", f"{number} already has role {role!r}")
            seen.add((number, role))
        if t.failed or clients is None:  # None only after a report
            return None
        return DirectorateUser(whatsapp=number, role=role, clients=clients, name=name)

    def _client_ref(self, value: Any) -> str:
        if text(value) not in self.client_ids:
            raise Bad(f"no client has id {show(value)}")
        return value

    def _nrp_ref(self, value: Any) -> str:
        if text(value) not in self.nrps:
            raise Bad(f"no user has NRP {show(value)}")
        return value

    # --- posts and what happens to them --------------------------------------------
    def _within(self, t: Table, key: str, at: Any) -> None:
        if at is not None and self.start is not None and not self.start <= at <= self.end:
            t.report(key, f"{at.isoformat()} is outside the scenario's [start, end]")

    def post(self, i: int, raw: Any) -> None:
        t = self.table(f"post[{i}]", raw)
        t.unknown_keys(POST_KEYS)
        name = t.get("platform", choice(_PLATFORMS, "a platform"))
        platform = Platform(name) if name is not None else None
        cid = t.get("client", self._client_ref)
        pid = t.get("id", nonempty)
        at = t.get("at", instant)
        caption = t.get("caption", text)
        removed_at = t.get("removed_at", instant, None)
        if pid is not None:
            if pid in self.post_ids:
                t.report("id", f"{pid!r} is already the id of another post")
            elif platform is not None and not _POST_ID[platform].fullmatch(pid):
                what = "a shortcode" if platform is Platform.INSTAGRAM else "a video id (digits)"
                t.report("id", f"{pid!r} is not {what}")
            self.post_ids.add(pid)
        client = self.clients.get(cid) if cid is not None else None
        if client is not None and platform is not None and client.handle(platform) is None:
            t.report("client", f"client {cid!r} has no {platform} account to publish it")
        if at is not None and self.end is not None and at > self.end:
            t.report("at", f"{at.isoformat()} is after the scenario's end")
        if removed_at is not None and at is not None and removed_at <= at:
            t.report("removed_at", f"{removed_at.isoformat()} is not after at")
        elif removed_at is not None:
            self._within(t, "removed_at", removed_at)
        if not t.failed and platform is not None:  # None only after a report
            self.posts[pid] = ScenarioPost(
                platform=platform, client=cid, id=pid, at=at, caption=caption, removed_at=removed_at
            )

    def _post_ref(self, t: Table, at: Any) -> str | None:
        """The `post` key: it must name a post, and happen no earlier than its publication."""
        pid = t.get("post", text)
        if pid is None:
            return None
        if pid not in self.post_ids:
            t.report("post", f"no post has id {show(pid)}")
            return None
        post = self.posts.get(pid)
        if post is not None and at is not None and at < post.at:
            t.report("at", f"{at.isoformat()} is before post {pid!r} is published")
        return pid

    def engagement(self, i: int, raw: Any) -> Engagement | None:
        t = self.table(f"engagement[{i}]", raw)
        t.unknown_keys(ENGAGEMENT_KEYS)
        at = t.get("at", instant)
        self._within(t, "at", at)
        pid = self._post_ref(t, at)
        users = t.get_list("users", message_text)  # raw on purpose: upstream junk is a test case
        if t.failed or pid is None or users is None:  # None only after a report
            return None
        return Engagement(at=at, post=pid, users=users)

    def link_report(self, i: int, raw: Any) -> LinkReport | None:
        t = self.table(f"link_report[{i}]", raw)
        t.unknown_keys(LINK_REPORT_KEYS)
        at = t.get("at", instant)
        self._within(t, "at", at)
        pid = self._post_ref(t, at)
        who = t.get("nrp", self._nrp_ref)
        links = t.get("links", _links)
        if t.failed or pid is None:  # None only after a report
            return None
        return LinkReport(at=at, post=pid, nrp=who, links=links)

    def event(self, i: int, raw: Any, ctx: EventContext) -> Event | None:
        return parse_event(self.table(f"event[{i}]", raw), i, ctx)


def _lower_choice(options: tuple[str, ...], noun: str) -> Any:
    """A case-insensitive choice stored lowercase (`DITBINMAS` and `ditbinmas` are one role)."""
    pick = choice(options, noun)

    def conv(value: Any) -> str:
        return pick(text(value).lower()) if isinstance(value, str) else pick(value)

    return conv


def _links(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise Bad(f'must be a table like {{ instagram = "https://…" }}, got {kind_of(value)}')
    if not value:
        raise Bad("is empty; give at least one link")
    out: dict[str, str] = {}
    for key, url in value.items():
        if key not in LINK_PLATFORMS:
            raise Bad(f"{show(key)} is not a link platform; use one of {', '.join(LINK_PLATFORMS)}")
        try:
            out[key] = nonempty(url)
        except Bad as err:
            raise Bad(f"{key}: {err}") from None
    return MappingProxyType(out)


def _config_problem(line: str) -> str:
    """`config: runtime.web_port: msg` → `config.runtime.web_port: msg` (one path, one colon)."""
    where, _, message = line.removeprefix("config: ").partition(": ")
    if where == "(top level)":
        head, sep, rest = message.partition(": ")
        if sep and re.fullmatch(r"[\w.\[\]-]+", head):
            return f"config.{head}: {rest}"
        return f"config: {message}"
    return f"config.{where}: {message}"


def parse(
    data: Any, supported: Collection[str] | None, base_config: Mapping[str, Any] | None
) -> Scenario:
    p = Parser(supported, base_config)
    if not isinstance(data, Mapping):
        raise ScenarioError([f"(top level): must be a table, got {kind_of(data)}"])
    if p.supported is not None:
        unknown = sorted(k for k in p.supported if k not in EVENT_KINDS)
        if unknown:  # the driver's mistake, not the file's: fail loudly
            raise ValueError(f"supported_kinds holds unknown kinds: {unknown}")
    for key in data:
        if key not in TABLES:
            name = key if isinstance(key, str) else show(key)
            p.problems.append(f"{name}: unknown table; use one of {', '.join(TABLES)}")
    if "scenario" not in data:
        p.problems.append("scenario: missing (required): give name, start, end and seed")
    head = p.head(data.get("scenario", {})) if "scenario" in data else {}
    config = p.config(data.get("config"), head.get("admins"))
    sessions = p.sessions(data.get("sessions"), config)

    raw_clients = array_of_tables("client", data.get("client"), p.problems)
    directorates = p.directorate_ids(config, raw_clients)
    for i, raw in enumerate(raw_clients):
        p.client(i, raw, directorates)
    roles = ("operator", *directorates)
    for i, raw in enumerate(array_of_tables("user", data.get("user"), p.problems)):
        p.user(i, raw, roles)
    seen: set[tuple[str, str]] = set()
    dir_users = [
        p.directorate_user(i, raw, directorates, seen)
        for i, raw in enumerate(
            array_of_tables("directorate_user", data.get("directorate_user"), p.problems)
        )
    ]
    for i, raw in enumerate(array_of_tables("post", data.get("post"), p.problems)):
        p.post(i, raw)
    engagements = [
        p.engagement(i, raw)
        for i, raw in enumerate(array_of_tables("engagement", data.get("engagement"), p.problems))
    ]
    reports = [
        p.link_report(i, raw)
        for i, raw in enumerate(array_of_tables("link_report", data.get("link_report"), p.problems))
    ]
    ctx = EventContext(frozenset(sessions), p.start, p.end, p.supported)
    events = [
        p.event(i, raw, ctx)
        for i, raw in enumerate(array_of_tables("event", data.get("event"), p.problems))
    ]
    if p.problems or config is None:
        raise ScenarioError(p.problems or ["config: invalid"])
    raw_config = data.get("config") or {}
    return Scenario(
        name=head["name"],
        start=head["start"],
        end=head["end"],
        seed=head["seed"],
        admins=head["admins"],
        sessions=MappingProxyType(sessions),
        config_overrides=MappingProxyType(dict(raw_config)),
        config=config,
        clients=tuple(p.clients.values()),
        users=tuple(p.users.values()),
        directorate_users=tuple(d for d in dir_users if d is not None),
        posts=tuple(p.posts.values()),
        engagements=tuple(sorted((e for e in engagements if e is not None), key=_at)),
        link_reports=tuple(sorted((r for r in reports if r is not None), key=_at)),
        events=tuple(sorted((e for e in events if e is not None), key=_at)),
    )


def _at(item: Any) -> Any:
    return item.at


def load_scenario(
    path: str | Path,
    supported_kinds: Collection[str] | None = None,
    *,
    base_config: Mapping[str, Any] | None = None,
) -> Scenario:
    """Read and check a scenario file; ScenarioError (with the path as source) if it is bad."""
    source = str(path)
    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError(["no such file"], source) from None
    except IsADirectoryError:
        raise ScenarioError(["is a directory, not a TOML file"], source) from None
    except PermissionError:
        raise ScenarioError(["not readable by this user"], source) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ScenarioError([f"not valid TOML: {err}"], source) from None
    try:
        return parse_scenario(data, supported_kinds, base_config=base_config)
    except ScenarioError as err:
        raise ScenarioError(err.problems, source) from None


def parse_scenario(
    data: Mapping[str, Any],
    supported_kinds: Collection[str] | None = None,
    *,
    base_config: Mapping[str, Any] | None = None,
) -> Scenario:
    """Check a parsed TOML document. `supported_kinds`: the event kinds the driver runs
    (None: all); a known kind outside it is reported as not supported yet.
    `base_config`: the config the [config] overrides apply to (default: config/cicero.toml)."""
    return parse(data, supported_kinds, base_config)
