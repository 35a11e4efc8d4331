"""`cicero.sim.seed.seed` on a real PostgreSQL: a scenario's clients, directorates, staff,
roles and directorate users land as an import would write them, and seeding again keeps
the rows already there."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from cicero.config.load import load_settings
from cicero.db.connect import connect
from cicero.sim.parse import parse_scenario
from cicero.sim.scenario import Scenario
from cicero.sim.seed import seed


def scenario() -> Scenario:
    def person(nrp: str, name: str, client: str, **more: Any) -> dict[str, Any]:
        return {"nrp": nrp, "name": name, "rank": "bripda", "unit": "sat binmas",
                "position": "ba", "client": client, **more}  # fmt: skip

    return parse_scenario(
        {
            "scenario": {
                "name": "seed",
                "start": datetime(2026, 11, 23, 5),
                "end": datetime(2026, 11, 23, 23),
                "seed": 1,
            },
            "client": [
                {
                    "id": "POLRES_A",
                    "name": "Polres A",
                    "type": "org",
                    "instagram": "polres_a",
                    "group": "120363000000000001@g.us",
                    "operators": ["081200000001"],
                    "supers": ["081200000002", "081200000003"],
                    "directorates": ["ditbinmas", "DITLANTAS"],
                    "amplify": True,
                },
                {
                    "id": "POLRES_B",
                    "name": "Polres B",
                    "type": "org",
                    "group": "120363000000000002@g.us",
                    "operators": [],
                    "supers": [],
                    "directorates": ["bidhumas", "ditbinmas"],
                    "active": False,
                },
                {
                    "id": "BIDHUMAS",
                    "name": "Bid Humas Polda",
                    "type": "direktorat",
                    "group": "120363000000000003@g.us",
                    "operators": [],
                    "supers": [],
                    "directorates": [],
                },
            ],
            "user": [
                person(
                    "75020001",
                    "Budi",
                    "POLRES_A",
                    instagram="@Budi.S",
                    tiktok="budis",
                    whatsapp="081300000001",
                    email="Budi@Example.org",
                    roles=["operator", "ditbinmas"],
                    wa_opt_in=True,
                ),
                person("75020002", "Siti", "POLRES_B", exception=True, active=False),
                person("75020003", "Ani", "BIDHUMAS", roles=["BIDHUMAS"]),
            ],
            "directorate_user": [
                {
                    "whatsapp": "6281399900002",
                    "role": "ditlantas",
                    "clients": ["POLRES_A"],
                    "name": "Kasubdit",
                },
                {"whatsapp": "6281399900002", "role": "ditbinmas"},
            ],
        }
    )


async def tables(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    queries = {
        "client": """SELECT client_id, name, type, active, instagram, tiktok, amplify_enabled,
                            operator_wa, super_wa, group_jid FROM client ORDER BY client_id""",
        "client_directorate": "SELECT * FROM client_directorate ORDER BY 1, 2",
        "staff": """SELECT nrp, name, rank, unit, position, client_id, instagram, tiktok, whatsapp,
                           email, active, exception, wa_opt_in FROM staff ORDER BY nrp""",
        "staff_role": "SELECT * FROM staff_role ORDER BY 1, 2",
        "directorate_user": """SELECT whatsapp, role_name, extra_client_ids, name
                               FROM directorate_user ORDER BY 1, 2""",
    }
    return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in queries.items()}


def test_seed_writes_the_scenario_and_keeps_what_is_there(database_url: str) -> None:
    config = load_settings().config

    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        conn = await connect(database_url)
        try:
            await seed(conn, scenario(), config)
            first = await tables(conn)
            await conn.execute("UPDATE staff SET name = 'RENAMED' WHERE nrp = '75020003'")
            await seed(conn, scenario(), config)
            return first, await tables(conn)
        finally:
            await conn.close()

    first, again = asyncio.run(go())
    assert first["client"] == [
        ("BIDHUMAS", "BID HUMAS POLDA", "DIREKTORAT", True, None, None, False, None, [],
         "120363000000000003@g.us"),
        # named by a satker only: a row with the config's name, or its id when config has none
        ("DITBINMAS", "DIREKTORAT BINMAS", "DIREKTORAT", True, None, None, False, None, [], None),
        ("DITLANTAS", "DITLANTAS", "DIREKTORAT", True, None, None, False, None, [], None),
        ("POLRES_A", "POLRES A", "ORG", True, "polres_a", None, True, "6281200000001",
         ["6281200000002", "6281200000003"], "120363000000000001@g.us"),
        ("POLRES_B", "POLRES B", "ORG", False, None, None, False, None, [],
         "120363000000000002@g.us"),
    ]  # fmt: skip
    assert first["client_directorate"] == [
        ("POLRES_A", "DITBINMAS"),
        ("POLRES_A", "DITLANTAS"),
        ("POLRES_B", "BIDHUMAS"),
        ("POLRES_B", "DITBINMAS"),
    ]
    assert first["staff"] == [
        ("75020001", "BUDI", "BRIPDA", "SAT BINMAS", "BA", "POLRES_A", "budi.s", "budis",
         "6281300000001", "budi@example.org", True, False, True),
        ("75020002", "SITI", "BRIPDA", "SAT BINMAS", "BA", "POLRES_B", None, None, None, None,
         False, True, False),
        ("75020003", "ANI", "BRIPDA", "SAT BINMAS", "BA", "BIDHUMAS", None, None, None, None,
         True, False, False),
    ]  # fmt: skip
    assert first["staff_role"] == [
        ("75020001", "ditbinmas"),
        ("75020001", "operator"),
        ("75020002", "operator"),
        ("75020003", "bidhumas"),
    ]
    assert first["directorate_user"] == [
        ("6281399900002", "ditbinmas", [], ""),
        ("6281399900002", "ditlantas", ["POLRES_A"], "Kasubdit"),
    ]
    renamed = [(*row[:1], "RENAMED", *row[2:]) if row[0] == "75020003" else row
               for row in first["staff"]]  # fmt: skip
    assert again == {**first, "staff": renamed}
