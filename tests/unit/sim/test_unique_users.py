"""The per-user uniqueness check of a scenario (the database's unique indexes: WhatsApp among
all staff, handles among active staff) is a look-up, not a scan of every earlier user; these
tests pin the problems it reports, including their order, against a plain pairwise model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.people.usernames import Platform, canonical_username
from cicero.sim.parse import parse_scenario
from cicero.sim.scenario import ScenarioError

CLIENT = {
    "id": "POLRES_A", "name": "POLRES A", "type": "org", "group": "120363000000000001@g.us",
    "operators": [], "supers": [], "directorates": [],
}  # fmt: skip


def document(users: list[dict[str, Any]]) -> dict[str, Any]:
    start, end = datetime(2026, 11, 23, 5), datetime(2026, 11, 23, 23)
    people = [
        {"name": "X", "rank": "BRIPDA", "unit": "SAT", "position": "BA", "client": "POLRES_A", **u}
        for u in users
    ]
    return {
        "scenario": {"name": "u", "start": start, "end": end, "seed": 1},
        "client": [CLIENT],
        "user": people,
    }


def problems(users: list[dict[str, Any]]) -> list[str]:
    try:
        parse_scenario(document(users))
    except ScenarioError as err:
        return err.problems
    return []


def test_a_user_clashing_with_several_earlier_users_gets_every_clash_in_their_order() -> None:
    users = [
        {"nrp": "70000001", "tiktok": "dua"},
        {"nrp": "70000002", "instagram": "satu", "whatsapp": "6281300000001"},
        {"nrp": "70000003", "instagram": "satu", "tiktok": "dua", "whatsapp": "081300000001"},
    ]
    assert problems(users) == [
        "user[2].tiktok: 'dua' is already active user 70000001's tiktok",
        "user[2].whatsapp: 6281300000001 is already user 70000002's number",
        "user[2].instagram: 'satu' is already active user 70000002's instagram",
    ]


def test_handles_repeat_only_among_inactive_staff_numbers_never() -> None:
    users = [
        {"nrp": "70000001", "instagram": "satu", "whatsapp": "6281300000001", "active": False},
        {"nrp": "70000002", "instagram": "satu"},
        {"nrp": "70000003", "instagram": "satu", "active": False},
        {"nrp": "70000004", "whatsapp": "6281300000001"},
    ]
    assert problems(users) == ["user[3].whatsapp: 6281300000001 is already user 70000001's number"]


def test_a_rejected_user_holds_none_of_its_values() -> None:
    users = [
        {"nrp": "70000001", "instagram": "satu"},
        {"nrp": "70000002", "instagram": "satu", "tiktok": "dua"},  # rejected
        {"nrp": "70000003", "tiktok": "dua"},
    ]
    assert problems(users) == [
        "user[1].instagram: 'satu' is already active user 70000001's instagram"
    ]


# --- against a model: every earlier accepted user compared field by field --------------


def model(users: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    accepted: list[dict[str, Any]] = []
    nrps: set[str] = set()
    for i, u in enumerate(users):
        mine = {
            "whatsapp": u.get("whatsapp"),
            "active": u.get("active", True),
            **{p: canonical_username(u[p], Platform(p)) if p in u else None
               for p in ("instagram", "tiktok")},
        }  # fmt: skip
        if u["nrp"] in nrps:
            out.append(f"user[{i}].nrp: {u['nrp']!r} is already the NRP of another user")
            continue
        nrps.add(u["nrp"])
        found = []
        for other in accepted:
            if mine["whatsapp"] is not None and other["whatsapp"] == mine["whatsapp"]:
                found.append(f"user[{i}].whatsapp: {mine['whatsapp']} is already user "
                             f"{other['nrp']}'s number")  # fmt: skip
            for p in ("instagram", "tiktok"):
                if mine["active"] and other["active"] and mine[p] and other[p] == mine[p]:
                    found.append(f"user[{i}].{p}: {mine[p]!r} is already active user "
                                 f"{other['nrp']}'s {p}")  # fmt: skip
        out += found
        if not found:
            accepted.append({**mine, "nrp": u["nrp"]})
    return out


HANDLES = st.sampled_from(["satu", "dua", "Tiga", "@satu"])
user_tables = st.lists(
    st.fixed_dictionaries(
        {"nrp": st.sampled_from([f"7000000{k}" for k in range(8)])},
        optional={
            "instagram": HANDLES,
            "tiktok": HANDLES,
            "whatsapp": st.sampled_from(["6281300000001", "6281300000002"]),
            "active": st.booleans(),
        },
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(user_tables)
def test_the_problems_are_those_of_a_pairwise_comparison(users: list[dict[str, Any]]) -> None:
    assert problems(users) == model(users)
