"""Load a scenario's people and clients into the domain tables, as an import would."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from cicero.config.schema import Config
from cicero.db.app_api import write_scenario_report
from cicero.domain.amplification.links import LinkField
from cicero.domain.amplification.links import key as link_key
from cicero.sim.scenario import LinkReport, Scenario


async def seed(conn: asyncpg.Connection, scenario: Scenario, config: Config) -> None:
    """One statement per table (staff and roles as arrays through unnest: 5,000 people row by
    row took seconds). Rows already there are kept, as before: every insert skips conflicts."""
    names = {d.id: d.name for d in config.directorates}
    async with conn.transaction():
        await conn.executemany(
            """INSERT INTO client (client_id, name, type, active, instagram, tiktok, amplify_enabled,
                                   operator_wa, super_wa, group_jid)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (client_id) DO NOTHING""",
            [
                (c.id, c.name.upper(), "ORG" if c.type == "org" else "DIREKTORAT", c.active,
                 c.instagram, c.tiktok, c.amplify, c.operators[0] if c.operators else None,
                 list(c.supers), c.group)
                for c in scenario.clients
            ],
        )  # fmt: skip
        # A directorate named by a satker but not described in the scenario still needs its
        # client row (the recaps group by it): take its name from the config.
        links = [(c.id, role.upper()) for c in scenario.clients for role in c.directorates]
        directorates = list(dict.fromkeys(d for _, d in links))
        await conn.execute(
            """INSERT INTO client (client_id, name, type)
               SELECT id, name, 'DIREKTORAT' FROM unnest($1::text[], $2::text[]) AS d (id, name)
               ON CONFLICT (client_id) DO NOTHING""",
            directorates,
            [names.get(d, d) for d in directorates],
        )
        await conn.execute(
            """INSERT INTO client_directorate (client_id, directorate_id)
               SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING""",
            [c for c, _ in links],
            [d for _, d in links],
        )
        users = scenario.users
        await conn.execute(
            """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram, tiktok,
                                  whatsapp, email, active, exception, wa_opt_in)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                    $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                                    $11::boolean[], $12::boolean[], $13::boolean[])
               ON CONFLICT (nrp) DO NOTHING""",
            [u.nrp for u in users], [u.name.upper() for u in users],
            [u.rank.upper() for u in users], [u.unit.upper() for u in users],
            [u.position.upper() for u in users], [u.client for u in users],
            [u.instagram for u in users], [u.tiktok for u in users], [u.whatsapp for u in users],
            [u.email.lower() if u.email else None for u in users], [u.active for u in users],
            [u.exception for u in users], [u.wa_opt_in for u in users],
        )  # fmt: skip
        roles = [(u.nrp, role) for u in users for role in u.roles]
        await conn.execute(
            """INSERT INTO staff_role (nrp, role_name)
               SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING""",
            [nrp for nrp, _ in roles],
            [role for _, role in roles],
        )
        await conn.executemany(
            """INSERT INTO directorate_user (whatsapp, role_name, extra_client_ids, name)
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
            [(d.whatsapp, d.role, list(d.clients), d.name) for d in scenario.directorate_users],
        )
    with_password = [(u.nrp, u.password) for u in scenario.users if u.password]
    if with_password:
        from cicero.web.passwords import hasher

        ph = hasher()
        await conn.executemany(
            """INSERT INTO staff_password (nrp, hash, set_at) VALUES ($1, $2, $3)
               ON CONFLICT (nrp) DO NOTHING""",
            [(nrp, ph.hash(password), scenario.start) for nrp, password in with_password],
        )
    # Statistics now, not when autovacuum gets round to it: without them the planner guesses the
    # size of staff and picked plans that probed it once per engagement row (recap work, issue 7).
    await conn.execute("ANALYZE client, client_directorate, staff, staff_role, directorate_user")


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
        links = {f: r.links[f.value] for f in LinkField if r.links.get(f.value)}
        keys = {k: f for f, url in links.items() if (k := link_key(url)) is not None}
        # URL keys too, so a report through the app's API meets these as duplicates.
        await write_scenario_report(conn, post_id, r.nrp, links, keys, r.at)
    return waiting
