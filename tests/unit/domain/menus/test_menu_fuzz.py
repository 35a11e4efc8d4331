"""Hypothesis-generated messages through the menu machine, across roles, sessions and states.

Invariants after every message: no exception, at most one reply, every reply non-empty and
within REPLY_LIMIT, the state survives JSON, and `batal` always leaves no open flow.
Size: CICERO_FUZZ_MESSAGES (default 2,000; the full run is 100,000).
"""

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cicero.domain.menus.model import REPLY_LIMIT, Session
from tests.unit.domain.menus.world import ADMIN, DIRLANTAS, OPERATOR, T0, World

MESSAGES = int(os.environ.get("CICERO_FUZZ_MESSAGES", "2000"))
STEPS = 40
EXAMPLES = max(1, MESSAGES // STEPS)

SENDERS = (ADMIN, OPERATOR, DIRLANTAS, "6281234500011", "6281234500022", "6289900000009")
MENU_WORDS = (
    "oprrequest", "dirrequest", "dashrequest", "clientrequest", "userrequest", "wabot",
    "batal", "back", "0", "menu", "ya", "tidak", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "12", "22", "30", "34", "99", "89050123", "89050124", "77770000", "123456", "000000",
    "@andi.pratama_", "tiktok.com/@rina.tt", "@cicero_devs", "https://instagram.com/p/abc",
    "BRIPTU", "SAT BINMAS", "081234567890", "notifwa#on", "notifwa#maybe",
    "fetchinsta#SUKAMAJU", "absensilikes#LAINNYA#akumulasi#belum", "fetchlikes#", "terima kasih",
    "Pesan Komplain\nNRP: 89050123\nKendala\n- sudah melaksanakan like ig tapi belum terdata",
    "Pesan Komplain\nNRP: 89050124\nKendala:\n1) terabsen belum melaksanakan",
    "Pesan Komplain\nKendala\n- tanpa nrp",
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
)


class MenuFuzz(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World()
        self.now = T0
        self.last: tuple[str, Session, frozenset[str] | None, str] | None = None

    def _send(self, sender: str, session: Session, body: str, group: frozenset[str] | None):
        chat = f"g:{sender}" if group is not None else sender
        reply = self.world.send(sender, body, self.now, session, group, chat)
        if reply is not None:
            assert reply.strip(), "empty reply"
            assert len(reply) <= REPLY_LIMIT
        self.last = (sender, session, group, chat)

    @rule(sender=st.sampled_from(SENDERS), session=st.sampled_from(list(Session)), body=text)
    def message(self, sender, session, body):
        self._send(sender, session, body, None)

    @rule(
        sender=st.sampled_from(SENDERS), body=text, clients=st.sampled_from(["SUKAMAJU", "LAINNYA"])
    )
    def group_message(self, sender, body, clients):
        self._send(sender, Session.GATEWAY, body, frozenset({clients}))

    @rule(seconds=st.integers(0, 900))
    def time_passes(self, seconds):
        self.now += timedelta(seconds=seconds)
        for reply in self.world.tick(self.now).values():
            assert reply.strip() and len(reply) <= REPLY_LIMIT

    @precondition(lambda self: self.last is not None)
    @rule()
    def batal_closes(self):
        sender, session, group, chat = self.last
        self.world.send(sender, "batal", self.now, session, group, chat)
        assert self.world.states[session, chat].flow is None

    @invariant()
    def no_state_awaits_between_messages(self):
        assert all(s.flow is None or s.flow.awaiting is None for s in self.world.states.values())


MenuFuzz.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestMenuFuzz = MenuFuzz.TestCase
