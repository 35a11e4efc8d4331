"""Hypothesis-generated messages through the menu machine, across roles, sessions and states.

Each example is STEPS messages (each maybe followed by `batal`), so the run sends at least
CICERO_FUZZ_MESSAGES messages (default 2,000; the full run is 100,000). Invariants after every
message: no exception, at most one reply (World asserts it), every reply non-empty and within
REPLY_LIMIT, the stored state survives JSON (World round-trips it), `batal` leaves no open flow.
Numbers come absurd too (thousands of digits, past what `int()` converts; signs, other
scripts' digits), so every step that reads a number meets them; test_numeric_inputs.py
walks each of those steps deliberately.
"""

import os
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.domain.menus.model import REPLY_LIMIT, Session
from tests.unit.domain.menus.test_numeric_inputs import HOSTILE_NUMBERS
from tests.unit.domain.menus.world import ADMIN, DIRLANTAS, MULTI, OPERATOR, T0, World

MESSAGES = int(os.environ.get("CICERO_FUZZ_MESSAGES", "2000"))
STEPS = 40
EXAMPLES = max(1, -(-MESSAGES // STEPS))

SENDERS = (ADMIN, OPERATOR, DIRLANTAS, MULTI, "6281234500011", "6281234500022", "6289900000009")
MENU_WORDS = (
    "oprrequest", "dirrequest", "dashrequest", "clientrequest", "userrequest", "wabot",
    "batal", "back", "0", "menu", "ya", "tidak", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "12", "22", "30", "34", "99", "SUKAMAJU", "LAINNYA", "DITBINMAS",
    "89050123", "89050124", "77770000", "123456", "000000",
    "@andi.pratama_", "tiktok.com/@rina.tt", "@cicero_devs", "https://instagram.com/p/abc",
    "BRIPTU", "SAT BINMAS", "081234567890", "notifwa#on", "notifwa#maybe",
    "fetchinsta#SUKAMAJU", "absensilikes#LAINNYA#akumulasi#belum", "fetchlikes#", "terima kasih",
    "Pesan Komplain\nNRP: 89050123\nKendala\n- sudah melaksanakan like ig tapi belum terdata",
    "Pesan Komplain\nNRP: 89050124\nKendala:\n1) terabsen belum melaksanakan",
    "Pesan Komplain\nKendala\n- tanpa nrp",
    "Permohonan Penghapusan Data Personil – POLRES SUKAMAJU\n1. ANDI – 89050123 – mutasi\n2. 89050124",
)  # fmt: skip
INJECTIONS = (
    "'; DROP TABLE staff; --", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x}",
    "\x00", "\u202e", "ﷺ" * 50, "🙂", "   ", "", "#", "##", "a#b#c", "NRP: 1\nKendala",
)  # fmt: skip
text = st.one_of(
    st.sampled_from(MENU_WORDS),
    st.sampled_from(INJECTIONS),
    st.text(max_size=40),
    # Very long: a piece repeated (hypothesis caps generated sizes well below 15,000).
    st.tuples(
        st.sampled_from(MENU_WORDS[-3:]) | st.text(min_size=1, max_size=20), st.integers(300, 3000)
    ).map(lambda t: (t[0] + "\n") * t[1]),
    st.tuples(st.integers(200, 2000)).map(
        lambda t: (
            "Pesan Komplain\nNRP: 89050123\nKendala\n"
            + "- sudah melaksanakan absen kurang\n" * t[0]
        )
    ),
    st.from_regex(r"[0-9 \-]{0,25}", fullmatch=True),
    # Numbers where a menu reads one: huge, past int()'s 4,300 digits, signed, foreign digits.
    st.sampled_from(HOSTILE_NUMBERS),
    st.tuples(st.sampled_from("123456789"), st.integers(20, 12_000)).map(lambda t: t[0] * t[1]),
    st.integers(-(10**60), 10**60).map(str),
)


step = st.tuples(
    st.sampled_from(SENDERS),
    st.sampled_from(list(Session)),
    st.sampled_from([None, None, None, "SUKAMAJU", "LAINNYA"]),  # None: a DM
    text,
    st.sampled_from([0, 0, 0, 5, 60, 299, 301, 900]),  # seconds before the message
    st.booleans(),  # then send `batal` in the same chat
)


def check(reply: str | None) -> None:
    if reply is not None:
        assert reply.strip(), "empty reply"
        assert len(reply) <= REPLY_LIMIT


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(step, min_size=STEPS, max_size=STEPS))
def test_menu_fuzz(steps):
    world, now = World(), T0
    for sender, session, group_client, body, wait, cancel in steps:
        now += timedelta(seconds=wait)
        for reply in world.tick(now).values():
            check(reply)
        group = None if group_client is None else frozenset({group_client})
        if group is not None:
            session = Session.GATEWAY
        chat = f"g:{group_client}" if group is not None else sender
        check(world.send(sender, body, now, session, group, chat))
        # Between messages no flow may wait on a lookup (they are answered in one transaction).
        assert all(s.flow is None or s.flow.awaiting is None for s in world.states.values())
        if cancel:
            check(world.send(sender, "batal", now, session, group, chat))
            assert world.states[session, chat].flow is None
