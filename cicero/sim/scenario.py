"""A scenario file (spec/scenario.md, docs/scenarios.md) as frozen values.

`cicero.sim.parse` reads and checks the TOML into these (`load_scenario`,
`parse_scenario`); the simulation driver only ever sees a valid `Scenario`.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

from cicero.config.schema import Config
from cicero.domain.people.usernames import Platform
from cicero.sim.events import (
    EVENT_CLASSES,
    EVENT_KINDS,
    EvCrashActor,
    Event,
    EvKillProcess,
    EvMessage,
    EvSendFailures,
    EvSessionBanned,
    EvSessionLoggedOut,
    EvSessionLost,
    EvSessionPaired,
    EvSessionReady,
    EvSmtpDown,
    EvUpstreamFault,
    Fault,
)

__all__ = [
    "EVENT_CLASSES",
    "EVENT_KINDS",
    "ClientType",
    "DirectorateUser",
    "Engagement",
    "EvCrashActor",
    "EvKillProcess",
    "EvMessage",
    "EvSendFailures",
    "EvSessionBanned",
    "EvSessionLoggedOut",
    "EvSessionLost",
    "EvSessionPaired",
    "EvSessionReady",
    "EvSmtpDown",
    "EvUpstreamFault",
    "Event",
    "Fault",
    "LinkReport",
    "Platform",
    "Scenario",
    "ScenarioClient",
    "ScenarioError",
    "ScenarioPost",
    "ScenarioUser",
    "SessionStart",
]


class ScenarioError(Exception):
    """A bad scenario: `problems` holds one line per problem, naming table, key and problem."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + p for p in self.problems))


class SessionStart(StrEnum):
    """A session's state when the scenario starts. Same values as
    `whatsapp.simulated.InitialState` (`InitialState(s)` converts); kept here so reading a
    scenario does not import the transport layer."""

    READY = "ready"
    UNPAIRED = "unpaired"
    DOWN = "down"


class ClientType(StrEnum):
    ORG = "org"
    DIREKTORAT = "direktorat"


@dataclass(frozen=True, kw_only=True)
class ScenarioClient:
    id: str
    name: str
    type: ClientType
    group: str | None  # a group JID `…@g.us`
    operators: tuple[str, ...]  # phones `62…`
    supers: tuple[str, ...]
    directorates: tuple[str, ...]  # lowercase directorate roles, e.g. "ditbinmas"
    instagram: str | None = None  # canonical handle (data.md §3.5)
    tiktok: str | None = None
    amplify: bool = False
    active: bool = True  # extension

    def handle(self, platform: Platform | str) -> str | None:
        return self.instagram if Platform(platform) is Platform.INSTAGRAM else self.tiktok


@dataclass(frozen=True, kw_only=True)
class ScenarioUser:
    nrp: str
    name: str
    rank: str
    unit: str
    position: str
    client: str
    instagram: str | None = None  # canonical
    tiktok: str | None = None
    whatsapp: str | None = None  # `62…`
    email: str | None = None
    roles: tuple[str, ...] = ("operator",)
    exception: bool = False
    active: bool = True
    wa_opt_in: bool = False  # extension: accepts personal reminders (staff.wa_opt_in)
    # Extension: the app's password (stored as an argon2id hash, like one set on the page).
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, kw_only=True)
class DirectorateUser:
    whatsapp: str
    role: str  # a directorate role, lowercase
    clients: tuple[str, ...] = ()
    name: str = ""  # extension


@dataclass(frozen=True, kw_only=True)
class ScenarioPost:
    platform: Platform
    client: str
    id: str  # shortcode or video id; unique across the whole scenario
    at: datetime
    caption: str
    removed_at: datetime | None = None

    def visible(self, t: datetime) -> bool:
        return self.at <= t and (self.removed_at is None or t < self.removed_at)


@dataclass(frozen=True, kw_only=True)
class Engagement:
    at: datetime
    post: str
    users: tuple[str, ...]  # raw, as upstream returns them (not canonicalised)


@dataclass(frozen=True, kw_only=True)
class LinkReport:
    at: datetime
    post: str
    nrp: str
    links: Mapping[str, str]  # platform → URL; keys from LINK_PLATFORMS


LINK_PLATFORMS = ("instagram", "facebook", "twitter", "tiktok", "youtube")


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str
    start: datetime
    end: datetime
    seed: int
    admins: tuple[str, ...]
    sessions: Mapping[str, SessionStart]  # every session: [sessions] and the config's
    config_overrides: Mapping[str, Any]  # the [config] table as written
    config: Config = field(
        compare=False, repr=False
    )  # default config + [config] + admins, validated
    clients: tuple[ScenarioClient, ...] = ()
    users: tuple[ScenarioUser, ...] = ()
    directorate_users: tuple[DirectorateUser, ...] = ()
    posts: tuple[ScenarioPost, ...] = ()
    engagements: tuple[Engagement, ...] = ()  # sorted by `at`, stable
    link_reports: tuple[LinkReport, ...] = ()  # sorted by `at`, stable
    events: tuple[Event, ...] = ()  # sorted by `at`, stable (file order for equal times)

    # --- look-ups the driver wants -------------------------------------------------
    @cached_property
    def _event_times(self) -> list[datetime]:
        return [e.at for e in self.events]

    def events_between(self, t0: datetime, t1: datetime) -> tuple[Event, ...]:
        """Events with `t0 <= at < t1`, in order."""
        lo = bisect.bisect_left(self._event_times, t0)
        hi = bisect.bisect_left(self._event_times, t1)
        return self.events[lo:hi]

    def next_event_at(self, after: datetime) -> datetime | None:
        """The first event time strictly after `after`, if any."""
        i = bisect.bisect_right(self._event_times, after)
        return self._event_times[i] if i < len(self._event_times) else None

    @property
    def kinds_used(self) -> frozenset[str]:
        return frozenset(e.kind for e in self.events)

    @cached_property
    def clients_by_id(self) -> Mapping[str, ScenarioClient]:
        return MappingProxyType({c.id: c for c in self.clients})

    @cached_property
    def users_by_nrp(self) -> Mapping[str, ScenarioUser]:
        return MappingProxyType({u.nrp: u for u in self.users})

    @cached_property
    def posts_by_id(self) -> Mapping[str, ScenarioPost]:
        return MappingProxyType({p.id: p for p in self.posts})

    def posts_visible(
        self, t: datetime, platform: Platform | str | None = None, client: str | None = None
    ) -> tuple[ScenarioPost, ...]:
        """Posts upstream shows at `t` (published, not removed), optionally of one account."""
        return tuple(
            p
            for p in self.posts
            if p.visible(t)
            and (platform is None or p.platform == platform)
            and (client is None or p.client == client)
        )

    def engagement_users(self, post: str, t: datetime) -> tuple[str, ...]:
        """Every raw name engaged with `post` by `t`, first-seen order, exact duplicates once."""
        names: dict[str, None] = {}
        for e in self.engagements:
            if e.at > t:
                break
            if e.post == post:
                names.update(dict.fromkeys(e.users))
        return tuple(names)

    def random(self, label: str) -> random.Random:
        """A generator for one purpose, derived from the seed (same seed, same choices)."""
        return random.Random(f"{self.seed}:{label}")

    @property
    def settings_overrides(self) -> dict[str, Any]:
        """What to hand `load_settings(overrides=...)`: [config] plus the scenario's admins."""
        from cicero.config.load import merge

        extra = {"admin_numbers": list(self.config.admin_numbers)} if self.admins else {}
        return merge(dict(self.config_overrides), extra)
