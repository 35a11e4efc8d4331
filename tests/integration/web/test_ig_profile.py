"""A7/A8: the caller's own Instagram profile from the cache, refreshed through the upstream
client (the fake RapidAPI on loopback) when over a day old, 3 refreshes a person a WIB day."""

from __future__ import annotations

from typing import Any

from cicero.domain.people.usernames import Platform
from cicero.sim.upstream.embedded import prepare_fake
from cicero.sim.upstream.world import FakeAccount, UpstreamWorld
from tests.conftest import fresh_database
from tests.integration.web.app_world import BUDI, SITI, T0, run, seeded, serve

MINE = "/api/insta/profile?username=budi.s"
REFRESH = "/api/insta/rapid-profile?username=@Budi.S"


def test_own_profile_cached_refreshed_and_bounded(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))
    world = UpstreamWorld(accounts=(FakeAccount(Platform.INSTAGRAM, "budi.s"),))
    holder: dict[str, Any] = {}

    def point_at_fake(settings: Any) -> Any:
        holder["fake"], settings = prepare_fake(world, lambda: T0, settings)
        return settings

    async def go() -> None:
        async with serve(url, adjust=point_at_fake) as app:
            fake = holder["fake"].start()
            try:
                token = await app.login(BUDI)
                status, body, _ = await app.call("GET", MINE, token=token)
                assert (status, body["error"]["code"]) == (404, "not_found")
                status, body, _ = await app.call("GET", REFRESH, token=token)
                assert status == 200, body
                data = body["data"]
                assert data["username"] == "budi.s" and data["is_private"] is False
                assert data["post_count"] == 0 and data["fetched_at"] == "2026-11-23T09:00:00+07:00"
                assert data["full_name"] == "" and data["profile_pic_url"] == ""  # never null
                status, body, _ = await app.call("GET", MINE, token=token)
                assert status == 200 and body["data"] == data
                app.clock.move(hours=23)
                await app.call("GET", REFRESH, token=(token := await app.login(BUDI)))
                refreshes = await app.sql("SELECT count(*) AS n FROM ig_profile_refresh")
                assert refreshes[0]["n"] == 1  # fresh enough: the cache answered
                siti = await app.login(SITI)
                status, body, _ = await app.call("GET", MINE, token=siti)
                assert (status, body["error"]["code"]) == (403, "not_self")
            finally:
                fake.stop()
            # Upstream gone: 502, and each try spends the day's budget of 3.
            app.clock.move(hours=2)  # 10:00 WIB the next day; the cache is 25 h old
            token = await app.login(BUDI)
            statuses = [(await app.call("GET", REFRESH, token=token))[0] for _ in range(3)]
            assert statuses == [502, 502, 502]  # a new WIB day: three tries
            status, body, headers = await app.call("GET", REFRESH, token=token)
            assert status == 429 and int(headers["Retry-After"]) > 0

    run(go())
