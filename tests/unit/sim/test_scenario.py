"""Scenario files: the spec's example parses to the expected values, each kind of bad input
is reported as exactly one `table[i].key: problem` line, random valid scenarios round-trip,
and no junk raises anything but ScenarioError."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.domain.timezone import WIB
from cicero.sim.parse import load_scenario, parse_scenario
from cicero.sim.scenario import (
    EVENT_KINDS,
    ClientType,
    EvCrashActor,
    EvKillProcess,
    EvMessage,
    EvSendFailures,
    EvSessionBanned,
    EvSessionLost,
    EvSmtpDown,
    EvUpstreamFault,
    Fault,
    Platform,
    ScenarioError,
    SessionStart,
)

ROOT = Path(__file__).resolve().parents[3]

# The example of spec/scenario.md, verbatim.
SPEC_EXAMPLE = """
[scenario]
name  = "quiet day"
start = 2026-11-23T05:00:00
end   = 2026-11-23T23:30:00
seed  = 1                       # every random choice (jitter, ids) derives from it

admins = ["6281100000001"]      # optional: admin numbers (config `admin_numbers`)

[sessions]                      # state of each WhatsApp session at start
operator = "ready"              # ready | unpaired | down
gateway  = "ready"

[config]                        # optional: overrides of config/cicero.toml, same keys

[[client]]
id        = "POLRES_A"
name      = "POLRES A"
type      = "org"               # org | direktorat
instagram = "polres_a"          # official account handles; optional
tiktok    = "polres_a"
group     = "120363000000000001@g.us"    # WhatsApp group of the client
operators = ["6281200000001"]
supers    = ["6281200000002"]
directorates = ["ditbinmas"]    # directorates whose recaps include this client
amplify   = true                # optional, default false: amplification (link reports) tracked

[[user]]                        # a member of staff
nrp      = "75020001"
name     = "BUDI SANTOSO"
rank     = "BRIPKA"
unit     = "SAT BINMAS"
position = "BA SAT BINMAS"
client   = "POLRES_A"
instagram = "budi.s"            # optional
tiktok    = "budis"             # optional
whatsapp  = "6281300000001"     # optional
email     = "budi@example.org"  # optional
roles     = ["operator", "ditbinmas"]   # optional; default ["operator"]
exception = false               # optional; exception staff count as done
active    = true                # optional

[[directorate_user]]            # may open the directorate menu (menus.md §1.2)
whatsapp = "6281399900002"
role     = "ditlantas"
clients  = []                   # optional: extra client ids in scope

[[post]]
platform   = "instagram"        # instagram | tiktok
client     = "POLRES_A"         # whose official account published it
id         = "C9xYz12AbCd"      # shortcode (instagram) or video id (tiktok)
at         = 2026-11-23T07:15:00    # published; visible upstream from then on
caption    = "Kegiatan sambang desa"
removed_at = 2026-11-23T20:00:00    # optional: gone upstream from then on

[[engagement]]                  # likers (instagram) or commenters (tiktok)
at    = 2026-11-23T09:00:00     # visible upstream from then on
post  = "C9xYz12AbCd"
users = ["budi.s", "@Siti_A"]   # as upstream returns them (case, @, may be unknown)

[[link_report]]                 # amplification: links a member of staff reported for a post
at    = 2026-11-23T11:30:00
post  = "C9xYz12AbCd"
nrp   = "75020001"
links = { instagram = "https://www.instagram.com/p/Xy12/", tiktok = "https://www.tiktok.com/@budis/video/7301" }

[[event]]
at      = 2026-11-23T10:00:00
kind    = "session_lost"
session = "gateway"
"""


def wib(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=WIB)


def test_the_spec_example_parses_to_the_expected_values(tmp_path: Path) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(SPEC_EXAMPLE)
    s = load_scenario(path)
    assert (s.name, s.start, s.end, s.seed) == ("quiet day", wib(5), wib(23, 30), 1)
    assert s.admins == ("6281100000001",)
    assert s.config.admin_numbers == ("6281100000001",)
    assert dict(s.sessions) == {"operator": SessionStart.READY, "gateway": SessionStart.READY}
    (c,) = s.clients
    assert (c.id, c.name, c.type, c.instagram, c.tiktok) == (
        "POLRES_A", "POLRES A", ClientType.ORG, "polres_a", "polres_a",
    )  # fmt: skip
    assert c.group == "120363000000000001@g.us"
    assert (c.operators, c.supers, c.directorates) == (
        ("6281200000001",), ("6281200000002",), ("ditbinmas",),
    )  # fmt: skip
    assert c.amplify is True and c.active is True
    (u,) = s.users
    assert (u.nrp, u.name, u.rank, u.unit, u.position, u.client) == (
        "75020001", "BUDI SANTOSO", "BRIPKA", "SAT BINMAS", "BA SAT BINMAS", "POLRES_A",
    )  # fmt: skip
    assert (u.instagram, u.tiktok, u.whatsapp, u.email) == (
        "budi.s", "budis", "6281300000001", "budi@example.org",
    )  # fmt: skip
    assert u.roles == ("operator", "ditbinmas") and not u.exception and u.active
    (d,) = s.directorate_users
    assert (d.whatsapp, d.role, d.clients) == ("6281399900002", "ditlantas", ())
    (p,) = s.posts
    assert (p.platform, p.client, p.id, p.at, p.removed_at) == (
        Platform.INSTAGRAM, "POLRES_A", "C9xYz12AbCd", wib(7, 15), wib(20),
    )  # fmt: skip
    assert p.caption == "Kegiatan sambang desa"
    (e,) = s.engagements
    assert (e.at, e.post, e.users) == (wib(9), "C9xYz12AbCd", ("budi.s", "@Siti_A"))
    (r,) = s.link_reports
    assert (r.at, r.post, r.nrp) == (wib(11, 30), "C9xYz12AbCd", "75020001")
    assert dict(r.links) == {
        "instagram": "https://www.instagram.com/p/Xy12/",
        "tiktok": "https://www.tiktok.com/@budis/video/7301",
    }
    assert s.events == (EvSessionLost(at=wib(10), index=0, session="gateway"),)
    assert s.settings_overrides == {"admin_numbers": ["6281100000001"]}


def test_the_sample_scenario_parses() -> None:
    s = load_scenario(ROOT / "scenarios" / "quiet-day.toml")
    assert len(s.clients) == 2 and len(s.users) == 6 and len(s.posts) == 2
    kinds = [(e.kind, getattr(e, "session", None)) for e in s.events]
    assert ("session_lost", "gateway") in kinds and ("session_ready", "gateway") in kinds


# --- a valid base that every bad-input case changes in one place -------------------------


def base() -> dict[str, Any]:
    t = lambda h, m=0: datetime(2026, 11, 23, h, m)  # noqa: E731  (TOML local datetimes)
    return {
        "scenario": {"name": "base", "start": t(5), "end": t(23, 30), "seed": 7},
        "sessions": {"operator": "ready", "gateway": "down"},
        "client": [
            {
                "id": "POLRES_A", "name": "POLRES A", "type": "org", "instagram": "polres_a",
                "tiktok": "polres_a", "group": "120363000000000001@g.us",
                "operators": ["081200000001"], "supers": [], "directorates": ["DITBINMAS"],
            },
            {
                "id": "DITBINMAS", "name": "DIT BINMAS", "type": "direktorat",
                "instagram": "ditbinmas", "group": "120363000000000002",
                "operators": [], "supers": ["+62 812-0000-0003"], "directorates": [],
            },
        ],
        "user": [
            {
                "nrp": "75020001", "name": "BUDI", "rank": "BRIPKA", "unit": "SAT BINMAS",
                "position": "BA", "client": "POLRES_A", "instagram": "@Budi.S",
                "whatsapp": "6281300000001",
            },
            {
                "nrp": "75020002", "name": "SITI", "rank": "BRIPDA", "unit": "SAT BINMAS",
                "position": "BA", "client": "POLRES_A", "tiktok": "siti_a",
            },
        ],
        "directorate_user": [{"whatsapp": "6281399900002", "role": "ditlantas"}],
        "post": [
            {
                "platform": "instagram", "client": "POLRES_A", "id": "C9xYz12AbCd",
                "at": t(4), "caption": "from before start",
            },
            {
                "platform": "tiktok", "client": "POLRES_A", "id": "7301",
                "at": t(8), "caption": "", "removed_at": t(20),
            },
        ],
        "engagement": [
            {"at": t(9), "post": "C9xYz12AbCd", "users": ["budi.s"]},
            {"at": t(9), "post": "7301", "users": ["@Siti_A", "stranger"]},
        ],
        "link_report": [
            {"at": t(11), "post": "C9xYz12AbCd", "nrp": "75020001",
             "links": {"instagram": "https://instagram.com/p/x"}},
        ],
        "event": [
            {"at": t(10), "kind": "session_lost", "session": "gateway"},
            {"at": t(9), "kind": "session_ready", "session": "gateway"},
            {"at": t(10), "kind": "session_banned", "session": "operator", "until": t(23, 59)},
            {"at": t(11), "kind": "message", "session": "operator", "from": "081234567890",
             "text": "oprrequest", "id": "M1"},
            {"at": t(11, 1), "kind": "message", "session": "gateway", "from": "6281234567890",
             "chat": "120363000000000001@g.us", "text": "hi", "id": "M1"},
            {"at": t(12), "kind": "upstream_fault", "platform": "instagram", "fault": 429,
             "count": 3},
            {"at": t(12), "kind": "upstream_fault", "platform": "tiktok", "fault": "timeout",
             "until": t(13), "endpoint": "posts"},
            {"at": t(13), "kind": "smtp_down", "until": t(14)},
            {"at": t(14), "kind": "crash_actor", "actor": "session:gateway"},
            {"at": t(15), "kind": "kill_process"},
            {"at": t(16), "kind": "kill_process", "restart_at": t(16, 5)},
            {"at": t(17), "kind": "send_failures", "session": "gateway", "count": 2},
        ],
    }  # fmt: skip


def problems_of(data: dict[str, Any], **kwargs: Any) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, **kwargs)
    return err.value.problems


def test_the_base_is_valid_and_normalised() -> None:
    s = parse_scenario(base())
    assert s.clients[0].operators == ("6281200000001",)
    assert s.clients[0].directorates == ("ditbinmas",)
    assert s.clients[1].supers == ("6281200000003",) and s.clients[1].group.endswith("@g.us")
    assert s.users[0].instagram == "budi.s" and s.users[0].roles == ("operator",)
    assert s.sessions["gateway"] is SessionStart.DOWN
    assert [e.index for e in s.events] == [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]  # stable by at
    ev = {type(e): e for e in s.events}
    assert ev[EvSessionBanned].until == wib(23, 59)  # `until` may lie after end
    assert ev[EvKillProcess].restart_at in (wib(15), wib(16, 5))
    first_kill = next(e for e in s.events if isinstance(e, EvKillProcess))
    assert first_kill.restart_at == first_kill.at == wib(15)  # default: the same instant
    messages = [e for e in s.events if isinstance(e, EvMessage)]
    assert [m.message_id for m in messages] == ["M1", "M1"]  # a redelivered id is allowed
    assert messages[0].sender == "6281234567890" and messages[0].chat is None
    assert messages[1].chat == "120363000000000001@g.us"
    faults = [e for e in s.events if isinstance(e, EvUpstreamFault)]
    assert [(f.fault, f.count, f.until) for f in faults] == [
        (Fault.TOO_MANY_REQUESTS, 3, None), (Fault.TIMEOUT, None, wib(13)),
    ]  # fmt: skip
    assert ev[EvSmtpDown].until == wib(14) and ev[EvCrashActor].actor == "session:gateway"
    assert ev[EvSendFailures].count == 2


def test_a_message_may_carry_any_text_even_a_nul() -> None:
    data = base()
    data["event"][3]["text"] = "me\x00nu"  # bad input the runtime must survive, not refuse
    (message,) = [e for e in parse_scenario(data).events if isinstance(e, EvMessage)][:1]
    assert message.text == "me\x00nu"


def test_a_client_may_have_no_group_operators_supers_or_directorates() -> None:
    data = base()
    for key in ("group", "operators", "supers", "directorates"):
        del data["client"][0][key]
    c = parse_scenario(data).clients[0]
    assert (c.group, c.operators, c.supers, c.directorates) == (None, (), (), ())


def test_helpers_for_the_driver() -> None:
    s = parse_scenario(base())
    assert [e.kind for e in s.events_between(wib(10), wib(11))] == [
        "session_lost", "session_banned",
    ]  # fmt: skip
    assert s.next_event_at(wib(10)) == wib(11) and s.next_event_at(wib(17)) is None
    assert [p.id for p in s.posts_visible(wib(5))] == ["C9xYz12AbCd"]
    assert [p.id for p in s.posts_visible(wib(12), platform="tiktok")] == ["7301"]
    assert s.posts_visible(wib(20), platform="tiktok") == ()  # removed
    assert s.engagement_users("7301", wib(8)) == ()
    assert s.engagement_users("7301", wib(9)) == ("@Siti_A", "stranger")
    assert s.clients_by_id["DITBINMAS"].type is ClientType.DIREKTORAT
    assert s.users_by_nrp["75020002"].tiktok == "siti_a"
    assert s.random("jitter").random() == parse_scenario(base()).random("jitter").random()
    assert "send_failures" in s.kinds_used


def test_offset_datetimes_are_converted_to_wib() -> None:
    data = base()
    data["scenario"]["start"] = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
    s = parse_scenario(data)
    assert s.start == wib(5) and s.start.utcoffset() == timedelta(hours=7)
    assert str(s.start.tzinfo) == "Asia/Jakarta"


def test_config_overrides_are_merged_onto_the_default_config() -> None:
    data = base()
    data["config"] = {"sessions": {"user": {"role": "user"}}, "runtime": {"web_port": 9000}}
    data["event"].append(
        {"at": datetime(2026, 11, 23, 18), "kind": "session_lost", "session": "user"}
    )
    s = parse_scenario(data)
    assert s.config.runtime.web_port == 9000 and "gateway" in s.config.jobs["task_broadcast"].bucket
    assert s.sessions["user"] is SessionStart.READY  # a configured session not in [sessions]


def test_a_driver_may_limit_the_event_kinds() -> None:
    supported = {"session_lost", "session_ready", "session_banned", "message", "smtp_down",
                 "crash_actor", "kill_process", "send_failures"}  # fmt: skip
    got = problems_of(base(), supported_kinds=supported)
    want = (
        "event kind 'upstream_fault' is not supported yet (supported: session_lost, "
        "session_ready, session_banned, message, smtp_down, crash_actor, kill_process, "
        "send_failures)"
    )
    assert got == [f"event[5].kind: {want}", f"event[6].kind: {want}"]
    with pytest.raises(ValueError, match="unknown kinds"):
        parse_scenario(base(), supported_kinds={"explode"})


def _set(path: str, value: Any) -> Any:
    """A change at `a.b[2].c`; the value `DELETE` removes the key."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is DELETE:
            del node[last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


DELETE = object()


def _append(table: str, entry: dict[str, Any]) -> Any:
    def change(data: dict[str, Any]) -> None:
        data[table].append(entry)

    return change


T = datetime(2026, 11, 23, 12)
BAD_CASES = [
    (_set("scenario.start", DELETE), "scenario.start: missing (required)"),
    (_set("scenario", DELETE), "scenario: missing (required): give name, start, end and seed"),
    (_set("scenario.colour", "red"),
     "scenario.colour: unknown key; known keys: name, start, end, seed, admins"),
    (_set("clients", []),
     "clients: unknown table; use one of scenario, sessions, config, client, user, "
     "directorate_user, post, engagement, link_report, event"),
    (_set("scenario.seed", "1"), "scenario.seed: must be a whole number, got text"),
    (_set("scenario.seed", True), "scenario.seed: must be a whole number, got boolean"),
    (_set("scenario.name", 3), "scenario.name: must be text, got integer"),
    (_set("scenario.start", "2026-11-23T05:00:00"),
     "scenario.start: '2026-11-23T05:00:00' is text; write the datetime unquoted, "
     "e.g. 2026-11-23T10:00:00"),
    (_set("scenario.start", date(2026, 11, 23)),
     "scenario.start: 2026-11-23 is a date; give a date and time"),
    (_set("scenario.start", time(5)), "scenario.start: 05:00:00 is a time; give a date and time"),
    (_set("scenario.end", datetime(2026, 11, 23, 5)),
     "scenario.end: 2026-11-23T05:00:00+07:00 is not after start"),
    (_set("scenario.admins", ["0812", "6281100000001"]),
     "scenario.admins[0]: '0812' is not a valid number (want 62 and 8 to 13 digits)"),
    (_set("sessions.gateway", "broken"),
     "sessions.gateway: 'broken' is not a session state; use one of ready, unpaired, down"),
    (_set("sessions", ["gateway"]), "sessions: must be a table, got array"),
    (_set("client[0].name", "POLRES\x00A"), "client[0].name: holds a NUL character (\\u0000)"),
    (_set("sessions.backup", "ready"),
     "sessions.backup: no such session in the config (configured: operator, gateway); add "
     "[config.sessions.backup] with its role to run one"),
    (_set("config", {"runtime": {"web_port": 0}}),
     "config.runtime.web_port: Input should be greater than or equal to 1"),
    (_set("config", {"nonsense": 1}), "config.nonsense: unknown key"),
    (_set("config", {"jobs": {"x": {"name": "X", "bucket": "always", "after": "nope"}}}),
     "config.jobs.x.after: no job named 'nope'"),
    (_set("client[0].colour", "blue"),
     "client[0].colour: unknown key; known keys: id, name, type, instagram, tiktok, group, "
     "operators, supers, directorates, amplify, active"),
    (_set("client[1].id", "POLRES_A"), "client[1].id: 'POLRES_A' is already the id of another client"),
    (_set("client[0].name", DELETE), "client[0].name: missing (required)"),
    (_set("client[0].type", "satker"),
     "client[0].type: 'satker' is not a client type; use one of org, direktorat"),
    (_set("client[0].operators[0]", "abc"), "client[0].operators[0]: 'abc' is not a phone number"),
    (_set("client[0].operators", "6281200000001"),
     "client[0].operators: must be an array, got text"),
    (_set("client[0].group", "https://chat.whatsapp.com/AbC"),
     "client[0].group: 'https://chat.whatsapp.com/AbC' is an invite link, not a group id; "
     "use the group's id@g.us"),
    (_set("client[0].directorates", ["ditfoo"]),
     "client[0].directorates[0]: 'ditfoo' is not a directorate; use one of bidhumas, ditbinmas, "
     "ditintelkam, ditlantas, ditsamapta"),
    (_set("client[0].instagram", "instagram.com/p/DAbCdEf01"),
     "client[0].instagram: 'instagram.com/p/DAbCdEf01' is not a valid instagram username "
     "(not_a_profile_url)"),
    (_set("client[0].amplify", "yes"), "client[0].amplify: must be true or false, got text"),
    (_set("user[1].nrp", "75020001"), "user[1].nrp: '75020001' is already the NRP of another user"),
    (_set("user[1].nrp", 75020002), "user[1].nrp: must be text, got integer"),
    (_set("user[1].nrp", "7502"), "user[1].nrp: '7502' is not an NRP (6 to 18 digits, as text)"),
    (_set("user[1].client", "POLRES_Z"), "user[1].client: no client has id 'POLRES_Z'"),
    (_set("user[1].instagram", "BUDI.S"),
     "user[1].instagram: 'budi.s' is already active user 75020001's instagram"),
    (_set("user[1].whatsapp", "081300000001"),
     "user[1].whatsapp: 6281300000001 is already user 75020001's number"),
    (_set("user[1].email", "siti at example"),
     "user[1].email: 'siti at example' is not an email address"),
    (_set("user[1].roles", ["kapolres"]),
     "user[1].roles[0]: 'kapolres' is not a role; use one of operator, bidhumas, ditbinmas, "
     "ditintelkam, ditlantas, ditsamapta"),
    (_set("user[1].roles", []),
     "user[1].roles: is empty; give at least one role (or set active = false)"),
    (_set("directorate_user", {"whatsapp": "6281399900002", "role": "ditlantas"}),
     "directorate_user: must be an array of tables ([[directorate_user]]), got table"),
    (_set("directorate_user[0].role", "kapolda"),
     "directorate_user[0].role: 'kapolda' is not a directorate role; use one of bidhumas, "
     "ditbinmas, ditintelkam, ditlantas, ditsamapta"),
    (_set("directorate_user[0].clients", ["NOPE"]),
     "directorate_user[0].clients[0]: no client has id 'NOPE'"),
    (_set("post[0].platform", "facebook"),
     "post[0].platform: 'facebook' is not a platform; use one of instagram, tiktok"),
    (_set("post[0].client", "NOPE"), "post[0].client: no client has id 'NOPE'"),
    (_set("post[1].client", "DITBINMAS"),
     "post[1].client: client 'DITBINMAS' has no tiktok account to publish it"),
    (_append("post", {"platform": "instagram", "client": "POLRES_A", "id": "C9xYz12AbCd",
                      "at": T, "caption": "again"}),
     "post[2].id: 'C9xYz12AbCd' is already the id of another post"),
    (_append("post", {"platform": "tiktok", "client": "POLRES_A", "id": "abc", "at": T,
                      "caption": ""}),
     "post[2].id: 'abc' is not a video id (digits)"),
    (_set("post[0].at", datetime(2026, 11, 24)),
     "post[0].at: 2026-11-24T00:00:00+07:00 is after the scenario's end"),
    (_set("post[1].removed_at", datetime(2026, 11, 23, 8)),
     "post[1].removed_at: 2026-11-23T08:00:00+07:00 is not after at"),
    (_set("engagement[0].post", "NOPE"), "engagement[0].post: no post has id 'NOPE'"),
    (_set("engagement[1].at", datetime(2026, 11, 23, 7)),
     "engagement[1].at: 2026-11-23T07:00:00+07:00 is before post '7301' is published"),
    (_set("engagement[0].at", datetime(2026, 11, 23, 4)),
     "engagement[0].at: 2026-11-23T04:00:00+07:00 is outside the scenario's [start, end]"),
    (_set("engagement[1].users", ["ok", 3]), "engagement[1].users[1]: must be text, got integer"),
    (_set("link_report[0].nrp", "99999999"), "link_report[0].nrp: no user has NRP '99999999'"),
    (_set("link_report[0].links", {"myspace": "x"}),
     "link_report[0].links: 'myspace' is not a link platform; use one of instagram, facebook, "
     "twitter, tiktok, youtube"),
    (_set("link_report[0].links", {}), "link_report[0].links: is empty; give at least one link"),
    (_set("event[3].kind", "explode"),
     "event[3].kind: 'explode' is not an event kind; use one of " + ", ".join(EVENT_KINDS)),
    (_set("event[3].at", DELETE), "event[3].at: missing (required)"),
    (_set("event[0].at", datetime(2026, 11, 24)),
     "event[0].at: 2026-11-24T00:00:00+07:00 is outside the scenario's [start, end]"),
    (_set("event[0].session", "user"),
     "event[0].session: 'user' is not a session of this scenario (sessions: gateway, operator)"),
    (_set("event[0].until", T), "event[0].until: unknown key; known keys: at, kind, session"),
    (_set("event[2].until", datetime(2026, 11, 23, 9)),
     "event[2].until: 2026-11-23T09:00:00+07:00 is not after the event's at "
     "(2026-11-23T10:00:00+07:00)"),
    (_set("event[3].from", "not a phone"), "event[3].from: 'not a phone' is not a phone number"),
    (_set("event[3].from", "120363000000000001@g.us"),
     "event[3].from: '120363000000000001@g.us' is a group; put the group in `chat` and the "
     "person in `from`"),
    (_set("event[3].text", DELETE), "event[3].text: missing (required)"),
    (_set("event[4].chat", "chat-1"), "event[4].chat: 'chat-1@g.us' is not a valid g.us JID"),
    (_set("event[5].fault", "418"),
     "event[5].fault: '418' is not a fault; use one of 429, 500, 401, timeout, malformed, empty"),
    (_set("event[5].until", datetime(2026, 11, 23, 13)),
     "event[5].count: give either until or count, not both"),
    (_set("event[5].count", DELETE),
     "event[5].until: missing; give until (a datetime) or count (a number of calls)"),
    (_set("event[5].count", 0), "event[5].count: 0 is less than 1"),
    (_set("event[7].until", DELETE), "event[7].until: missing (required)"),
    (_set("event[8].actor", "Clock!"),
     "event[8].actor: 'Clock!' is not an actor name; write e.g. clock, router, session:gateway, "
     "ingestor:instagram, recap:ditbinmas"),
    (_set("event[8].actor", "session:user"), "event[8].actor: 'session:user' names no session of this scenario"),
    (_set("event[10].restart_at", datetime(2026, 11, 23, 15)),
     "event[10].restart_at: 2026-11-23T15:00:00+07:00 is before the event's at "
     "(2026-11-23T16:00:00+07:00)"),
    (_set("event[10].restart_at", datetime(2026, 11, 24)),
     "event[10].restart_at: 2026-11-24T00:00:00+07:00 is after the scenario's end; "
     "the runtime would stay down"),
    (_set("event[11].count", "2"), "event[11].count: must be a whole number, got text"),
    (_set("event[11]", "session_lost"), "event[11]: must be a table, got text"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "expected"), BAD_CASES, ids=[e for _, e in BAD_CASES])
def test_each_bad_input_gives_exactly_its_problem_line(change: Any, expected: str) -> None:
    data = base()
    change(data)
    assert problems_of(data) == [expected]


def test_all_problems_are_reported_at_once_and_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(SPEC_EXAMPLE.replace('type      = "org"', 'type = "satker"').replace(
        'kind    = "session_lost"', 'kind = "explode"'))  # fmt: skip
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert [p.split(":")[0] for p in err.value.problems] == ["client[0].type", "event[0].kind"]
    assert str(err.value).startswith(f"{path}: client[0].type: 'satker'")


@pytest.mark.parametrize(
    ("text", "problem"),
    [("[scenario\nname=", "not valid TOML: "), (None, "no such file")],
)
def test_unreadable_files(tmp_path: Path, text: str | None, problem: str) -> None:
    path = tmp_path / "x.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert len(err.value.problems) == 1 and err.value.problems[0].startswith(problem)


# --- properties ------------------------------------------------------------------------

DAY = datetime(2026, 11, 23)
minutes = st.integers(min_value=5 * 60, max_value=23 * 60)


def at(m: int) -> datetime:
    return DAY + timedelta(minutes=m)


SESSIONS = st.sampled_from(["operator", "gateway"])
# Per kind: the keys besides `at` and `kind`, given the event's minute.
EVENT_KEYS = {
    "session_lost": lambda m: st.fixed_dictionaries({"session": SESSIONS}),
    "session_banned": lambda m: st.fixed_dictionaries({"session": SESSIONS, "until": st.just(at(m + 5))}),
    "send_failures": lambda m: st.fixed_dictionaries({"session": SESSIONS, "count": st.integers(1, 9)}),
    "crash_actor": lambda m: st.fixed_dictionaries({"actor": st.sampled_from(["clock", "session:gateway"])}),
    "smtp_down": lambda m: st.just({"until": at(m + 1)}),
    "kill_process": lambda m: st.just({"restart_at": at(m + 2)}),
    "upstream_fault": lambda m: st.fixed_dictionaries(
        {"platform": st.sampled_from(["instagram", "tiktok"]), "fault": st.sampled_from(list(Fault)),
         "count": st.integers(1, 5)}),
    "message": lambda m: st.fixed_dictionaries(
        {"session": SESSIONS, "from": st.just("081234567890"), "text": st.text(max_size=10),
         "id": st.sampled_from(["A", "B"])}),
}  # fmt: skip


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(EVENT_KEYS)))
    m = draw(minutes)
    return {"at": at(m), "kind": kind, **draw(EVENT_KEYS[kind](m))}


def storable_text(size: int) -> st.SearchStrategy[str]:
    """Text a valid scenario may hold (no NUL: PostgreSQL's text cannot store it)."""
    return st.text(st.characters(blacklist_characters="\x00"), max_size=size)


@st.composite
def valid_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    n_clients = draw(st.integers(1, 3))
    clients = [
        {
            "id": f"POLRES_{i}", "name": f"POLRES {i}", "type": draw(st.sampled_from(["org", "direktorat"])),
            "instagram": f"polres_{i}", "tiktok": f"polres.{i}", "group": f"1203630000000000{i:02d}@g.us",
            "operators": [f"6281200000{i:03d}"], "supers": [], "directorates": [],
            "amplify": draw(st.booleans()),
        }
        for i in range(n_clients)
    ]  # fmt: skip
    users = [
        {
            "nrp": f"750200{i:02d}", "name": f"U{i}", "rank": "BRIPDA", "unit": "SAT", "position": "BA",
            "client": f"POLRES_{draw(st.integers(0, n_clients - 1))}", "instagram": f"user.{i}",
            "exception": draw(st.booleans()),
        }
        for i in range(draw(st.integers(0, 4)))
    ]  # fmt: skip
    posts = []
    for i in range(draw(st.integers(0, 4))):
        platform = draw(st.sampled_from(["instagram", "tiktok"]))
        posts.append({
            "platform": platform, "client": f"POLRES_{draw(st.integers(0, n_clients - 1))}",
            "id": f"Sc{i}" if platform == "instagram" else f"{7000 + i}",
            "at": at(draw(st.integers(0, 12 * 60))), "caption": draw(storable_text(20)),
        })  # fmt: skip
    engagements = [
        {"at": at(24 * 60 - 30), "post": p["id"], "users": draw(st.lists(st.text(max_size=8), max_size=3))}
        for p in posts
    ]  # fmt: skip
    return {
        "scenario": {"name": draw(storable_text(10)), "start": at(0), "end": at(24 * 60 - 1),
                     "seed": draw(st.integers(-(2**63), 2**63 - 1))},
        "client": clients, "user": users, "post": posts, "engagement": engagements,
        "event": draw(st.lists(events(), max_size=8)),
    }  # fmt: skip


def local(t: datetime) -> datetime:
    return t.replace(tzinfo=WIB)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_scenarios())
def test_random_valid_scenarios_round_trip(data: dict[str, Any]) -> None:
    s = parse_scenario(data)
    assert (s.name, s.seed, s.start) == (
        data["scenario"]["name"],
        data["scenario"]["seed"],
        local(at(0)),
    )
    assert [(c.id, c.type.value, c.amplify) for c in s.clients] == [
        (c["id"], c["type"], c["amplify"]) for c in data["client"]
    ]
    assert [(u.nrp, u.client, u.instagram, u.exception) for u in s.users] == [
        (u["nrp"], u["client"], u["instagram"], u["exception"]) for u in data["user"]
    ]
    assert [(p.id, p.platform.value, p.client, p.at, p.caption) for p in s.posts] == [
        (p["id"], p["platform"], p["client"], local(p["at"]), p["caption"]) for p in data["post"]
    ]
    assert [e.users for e in s.engagements] == [tuple(e["users"]) for e in data["engagement"]]
    order = sorted(range(len(data["event"])), key=lambda i: data["event"][i]["at"])
    assert [e.index for e in s.events] == order
    for e in s.events:
        raw = data["event"][e.index]
        assert e.kind == raw["kind"] and e.at == local(raw["at"])
        for key in (
            "session",
            "count",
            "actor",
            "text",
            "until",
            "restart_at",
            "platform",
            "fault",
        ):
            if key in raw:
                value = getattr(e, key)
                assert value == (local(raw[key]) if isinstance(raw[key], datetime) else raw[key])
        if "id" in raw:
            assert e.message_id == raw["id"]


# Junk: TOML-shaped values anywhere, and valid scenarios with one value replaced by junk.
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.datetimes(), st.datetimes(timezones=st.timezones()), st.dates(), st.times(),
    st.sampled_from(["ready", "org", "instagram", "session_lost", "POLRES_0", "gateway", "429"]),
)  # fmt: skip
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "at", "kind", "session", "until", "count", "post", "x"]) | st.text(max_size=5),
        inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["scenario", "sessions", "config", "client", "user",
                                        "post", "event", "engagement", "link_report", "zz"]),
                       junk, max_size=6))  # fmt: skip
def test_junk_documents_raise_only_scenario_error(data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError):
        parse_scenario(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_junk_value_anywhere_raises_only_scenario_error_or_parses(data: st.DataObject) -> None:
    doc = base()
    path = data.draw(st.sampled_from(_paths(doc)))
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = data.draw(junk)
    try:
        parse_scenario(copy.deepcopy(doc))
    except ScenarioError as err:
        assert err.problems and all(": " in p for p in err.problems)


def test_toml_of_the_sample_round_trips_through_tomllib() -> None:
    # The sample is what the docs point people at: keep it a TOML file tomllib reads as-is.
    text = (ROOT / "scenarios" / "quiet-day.toml").read_text()
    assert parse_scenario(tomllib.loads(text)).name


def test_http_events_are_read_and_their_mistakes_named() -> None:
    data = base()
    at = datetime(2026, 11, 23, 9)
    data["event"] += [
        {"at": at, "kind": "http", "method": "post", "path": "/api/auth/user-login",
         "body": {"nrp": "75020001", "password": "x"}, "save": "budi", "id": "r1"},
        {"at": at, "kind": "http", "method": "GET", "path": "/api/insta/posts",
         "headers": {"Authorization": "Bearer {{budi}}"}},
    ]  # fmt: skip
    events = [e for e in parse_scenario(data).events if e.kind == "http"]
    assert [(e.method, e.path, e.save, e.request_id) for e in events] == [  # type: ignore[attr-defined]
        ("POST", "/api/auth/user-login", "budi", "r1"), ("GET", "/api/insta/posts", None, None),
    ]  # fmt: skip
    bad = base()
    bad["event"] += [
        {"at": at, "kind": "http", "method": "BREW", "path": "api/x"},
        {"at": at, "kind": "http", "method": "GET", "path": "/x", "headers": {"A": "b\r\nX: y"},
         "save": "no spaces", "body": 5},
    ]  # fmt: skip
    got = problems_of(bad)
    first, second = len(bad["event"]) - 2, len(bad["event"]) - 1
    for where in ("method", "path"):
        assert any(p.startswith(f"event[{first}].{where}:") for p in got), got
    for where in ("headers", "save", "body"):
        assert any(p.startswith(f"event[{second}].{where}:") for p in got), got
