"""Hypothesis over real HTTP and PostgreSQL: racing submitters of one repost get one 201 and
409s naming the link; posts and reports at 23:59:59 / 00:00:00 WIB land on the right day."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.domain.timezone import wib_date
from tests.conftest import fresh_database
from tests.integration.web.app_world import (
    ANDI,
    BUDI,
    PASSWORD,
    SITI,
    WIB_MIDNIGHT,
    App,
    run,
    seeded,
    serve,
)  # fmt: skip

_serial = itertools.count()
SPELLINGS = st.sampled_from(
    ["https://www.instagram.com/p/{c}/", "https://instagram.com/p/{c}", "https://m.instagram.com/p/{c}?igsh=1",
     "https://INSTAGRAM.com/p/{c}/#x"]
)  # fmt: skip


async def new_post(app: App, owner: str, at_offset: timedelta) -> str:
    code = f"Race{next(_serial):05d}"
    await app.sql(
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at, last_seen_at)
           VALUES ('instagram', $1, $2, $3, $3, $3)""",
        code, owner, WIB_MIDNIGHT + at_offset,
    )  # fmt: skip
    return code


def test_racing_submitters_one_201_the_others_409_link_duplicate(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(spellings=st.lists(SPELLINGS, min_size=2, max_size=3), same_post=st.booleans())
    def race(spellings: list[str], same_post: bool) -> None:
        async def go() -> None:
            async with serve(url) as app:
                # BUDI and SITI share POLRES_A's posts; a third racer reports a POLRES_B post.
                racers = [(BUDI, "POLRES_A"), (SITI, "POLRES_A"), (ANDI, "POLRES_B")][
                    : len(spellings)
                ]
                tokens = {n: await app.login(n, PASSWORD) for n, _ in racers}
                shared = await new_post(app, "POLRES_A", timedelta(hours=8))
                repost = f"Rep{next(_serial):05d}"
                bodies = []
                for (nrp, owner), spelling in zip(racers, spellings, strict=False):
                    post = shared if same_post and owner == "POLRES_A" else await new_post(
                        app, owner, timedelta(hours=8))  # fmt: skip
                    bodies.append(
                        (nrp, {"shortcode": post, "instagram_link": spelling.format(c=repost)})
                    )
                answers = await asyncio.gather(
                    *(app.call("POST", "/api/link-reports", b, token=tokens[n]) for n, b in bodies)
                )
                statuses = sorted(a[0] for a in answers)
                assert statuses == [201] + [409] * (len(bodies) - 1), answers
                for (status, body, _), (_, sent) in zip(answers, bodies, strict=True):
                    if status == 409:
                        assert body["error"]["code"] == "link_duplicate"
                        assert body["duplicates"] == [sent["instagram_link"]]
                keys = await app.sql(
                    "SELECT count(*) AS n FROM link_report_url WHERE key = $1",
                    f"https://instagram.com/p/{repost}",
                )
                assert keys[0]["n"] == 1

        asyncio.run(go())

    race()


def test_midnight_wib_decides_the_day_of_posts_and_reports(pg_server: object) -> None:
    url = fresh_database(pg_server)
    run(seeded(url))

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(post_s=st.sampled_from([-1, 0, 1]), now_s=st.sampled_from([-1, 0, 1, 3600]))
    def around(post_s: int, now_s: int) -> None:
        async def go() -> None:
            async with serve(url) as app:
                app.clock.t = WIB_MIDNIGHT + timedelta(seconds=now_s)
                token = await app.login(SITI)
                code = await new_post(app, "POLRES_A", timedelta(seconds=post_s))
                if post_s > now_s:
                    return  # not published yet at that instant
                status, body, _ = await app.call("GET", "/api/insta/posts", token=token)
                listed = code in [p["shortcode"] for p in body["data"]]
                same_day = wib_date(WIB_MIDNIGHT + timedelta(seconds=post_s)) == wib_date(
                    app.clock.t
                )
                assert listed == same_day, (post_s, now_s)
                link = f"https://instagram.com/p/M{code}"
                status, body, _ = await app.call(
                    "POST",
                    "/api/link-reports",
                    {"shortcode": code, "instagram_link": link},
                    token=token,
                )
                assert status == 201
                assert body["data"]["created_at"].startswith(
                    wib_date(app.clock.t).isoformat()
                ) and body["data"]["created_at"].endswith("+07:00")

        asyncio.run(go())

    around()


def test_a_deleted_report_frees_its_links_and_keys_never_outlive_their_report(
    pg_server: object,
) -> None:
    """The keys follow their report by a trigger (migration 0120), not a foreign key: a
    deleted wrong report's links may be reported again, by anyone."""
    url = fresh_database(pg_server)
    run(seeded(url))

    async def go() -> None:
        async with serve(url) as app:
            budi, siti = await app.login(BUDI, PASSWORD), await app.login(SITI, PASSWORD)
            code = await new_post(app, "POLRES_A", timedelta(hours=8))
            body = {"shortcode": code, "instagram_link": f"https://instagram.com/p/Del{code}",
                    "twitter_link": f"https://x.com/budi/status/{code}"}  # fmt: skip
            assert (await app.call("POST", "/api/link-reports", body, token=budi))[0] == 201
            status, answer, _ = await app.call("POST", "/api/link-reports", body, token=siti)
            assert (status, answer["error"]["code"]) == (409, "link_duplicate")
            await app.sql("DELETE FROM link_report WHERE nrp = $1", BUDI)
            orphans = await app.sql(
                """SELECT k.key FROM link_report_url k
                    WHERE NOT EXISTS (SELECT 1 FROM link_report r
                                       WHERE r.post_id = k.post_id AND r.nrp = k.nrp)"""
            )
            assert orphans == []
            assert (await app.call("POST", "/api/link-reports", body, token=siti))[0] == 201
            owners = await app.sql("SELECT DISTINCT nrp FROM link_report_url")
            assert [r["nrp"] for r in owners] == [SITI]

    asyncio.run(go())
