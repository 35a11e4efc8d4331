"""Load a scenario's people and clients into the domain tables, as an import would."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from cicero.config.schema import Config
from cicero.sim.scenario import LinkReport, Scenario


async def seed(conn: asyncpg.Connection, scenario: Scenario, config: Config) -> None:
    names = {d.id: d.name for d in config.directorates}
    async with conn.transaction():
        for c in scenario.clients:
            await conn.execute(
                """INSERT INTO client (client_id, name, type, active, instagram, tiktok, amplify_enabled,
                                       operator_wa, super_wa, group_jid)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (client_id) DO NOTHING""",
                c.id, c.name.upper(), "ORG" if c.type == "org" else "DIREKTORAT", c.active, c.instagram,
                c.tiktok, c.amplify, c.operators[0] if c.operators else None, list(c.supers), c.group,
            )  # fmt: skip
        # A directorate named by a satker but not described in the scenario still needs its
        # client row (the recaps group by it): take its name from the config.
        for c in scenario.clients:
            for role in c.directorates:
                directorate = role.upper()
                await conn.execute(
                    """INSERT INTO client (client_id, name, type) VALUES ($1, $2, 'DIREKTORAT')
                       ON CONFLICT (client_id) DO NOTHING""",
                    directorate,
                    names.get(directorate, directorate),
                )
                await conn.execute(
                    "INSERT INTO client_directorate VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    c.id,
                    directorate,
                )
        for u in scenario.users:
            await conn.execute(
                """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram, tiktok,
                                      whatsapp, email, active, exception, wa_opt_in)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (nrp) DO NOTHING""",
                u.nrp, u.name.upper(), u.rank.upper(), u.unit.upper(), u.position.upper(), u.client,
                u.instagram, u.tiktok, u.whatsapp, u.email.lower() if u.email else None, u.active, u.exception,
                u.wa_opt_in,
            )  # fmt: skip
            for role in u.roles:
                await conn.execute(
                    "INSERT INTO staff_role (nrp, role_name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    u.nrp,
                    role,
                )
        for d in scenario.directorate_users:
            await conn.execute(
                """INSERT INTO directorate_user (whatsapp, role_name, extra_client_ids, name)
                   VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
                d.whatsapp,
                d.role,
                list(d.clients),
                d.name,
            )


async def report_links(
    conn: asyncpg.Connection, pending: list[LinkReport], now: datetime
) -> list[LinkReport]:
    """Write the scenario's link reports that are due by `now` and whose post has been ingested
    (a person reports links for a post on the task list), as the amplification menu would:
    `reported_at` is the report's own time, a repeat for (post, nrp) updates it. Returns the
    reports still waiting (not due yet, or their post not known yet)."""
    waiting: list[LinkReport] = []
    for r in pending:
        if r.at > now:
            waiting.append(r)
            continue
        post_id = await conn.fetchval("SELECT id FROM post WHERE external_id = $1", r.post)
        if post_id is None:
            waiting.append(r)
            continue
        links = [r.links.get(p) for p in ("instagram", "facebook", "twitter", "tiktok", "youtube")]
        await conn.execute(
            """INSERT INTO link_report (post_id, nrp, instagram_link, facebook_link, twitter_link,
                                        tiktok_link, youtube_link, reported_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
               ON CONFLICT (post_id, nrp) DO UPDATE SET
                   instagram_link = EXCLUDED.instagram_link, facebook_link = EXCLUDED.facebook_link,
                   twitter_link = EXCLUDED.twitter_link, tiktok_link = EXCLUDED.tiktok_link,
                   youtube_link = EXCLUDED.youtube_link, updated_at = EXCLUDED.updated_at""",
            post_id, r.nrp, *links, r.at,
        )  # fmt: skip
    return waiting
