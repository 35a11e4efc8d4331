"""The fake upstream as the runtime's default when no RAPIDAPI_KEY is configured:
started on loopback, and the settings pointed at it (keys included), as for RapidAPI: one key
and one fallback key for both platforms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from cicero.config import Secret, Settings
from cicero.domain.people.usernames import Platform
from cicero.loopback import free_port
from cicero.sim.upstream.server import FakeUpstream, FakeUpstreamThread, Keys
from cicero.sim.upstream.world import FakeAccount, FakeEngagement, FakePost, UpstreamWorld

if TYPE_CHECKING:
    from cicero.sim.scenario import Scenario

KEY, FALLBACK_KEY = "fake-key", "fake-fallback-key"
KEYS = Keys(
    instagram=KEY, instagram_fallback=FALLBACK_KEY, tiktok=KEY, tiktok_fallback=FALLBACK_KEY
)


def prepare_fake(
    world: UpstreamWorld, now: Callable[[], datetime], settings: Settings
) -> tuple[FakeUpstreamThread, Settings]:
    """The fake (not started yet: start it after the actor system forked, so no actor
    inherits its thread) and the settings that point the clients at it."""
    fake = FakeUpstreamThread(world, now, keys=KEYS, port=free_port())
    return fake, pointed_at(settings, fake)


def pointed_at(settings: Settings, fake: FakeUpstream | FakeUpstreamThread) -> Settings:
    """`settings` with the upstream clients pointed at `fake` (made with `KEYS`)."""
    upstream = settings.config.upstream.model_copy(
        update={
            "instagram_url": fake.base_url(Platform.INSTAGRAM),
            "instagram_fallback_url": fake.base_url(Platform.INSTAGRAM, fallback=True),
            "tiktok_url": fake.base_url(Platform.TIKTOK),
            "tiktok_fallback_url": fake.base_url(Platform.TIKTOK, fallback=True),
            # The fake answers at once; a `timeout` fault should cost seconds, not minutes.
            "total_timeout_s": min(settings.config.upstream.total_timeout_s, 2.0),
        }
    )
    return replace(
        settings,
        config=settings.config.model_copy(update={"upstream": upstream}),
        env=replace(
            settings.env, rapidapi_key=Secret(KEY), rapidapi_key_fallback=Secret(FALLBACK_KEY)
        ),
    )


def world_from_scenario(scenario: Scenario) -> UpstreamWorld:
    """The scenario's posts under their client's official handle, and who engaged when."""
    clients = scenario.clients_by_id
    posts = []
    for p in scenario.posts:
        client = clients[p.client]
        handle = client.instagram if p.platform == Platform.INSTAGRAM else client.tiktok
        posts.append(
            FakePost(
                Platform(p.platform),
                handle or p.client.lower(),
                p.id,
                p.at,
                p.caption,
                p.removed_at,
            )
        )
    engagements = tuple(FakeEngagement(e.post, e.at, tuple(e.users)) for e in scenario.engagements)
    # Every client's official account exists upstream, even before (or without) its first post:
    # an empty feed, not "user not found".
    accounts = tuple(
        FakeAccount(platform, handle)
        for platform, handle in sorted(
            {(Platform.INSTAGRAM, c.instagram) for c in scenario.clients if c.instagram}
            | {(Platform.TIKTOK, c.tiktok) for c in scenario.clients if c.tiktok}
        )
    )
    return UpstreamWorld(posts=tuple(posts), engagements=engagements, accounts=accounts)
