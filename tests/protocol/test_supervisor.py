"""Invariant 6 (let it crash) on Thespian's simpleSystemBase with the real Supervisor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from thespian.actors import ActorSystem

from cicero.actors.messages import (
    ChildSpec,
    Directory,
    Ports,
    Start,
    Started,
    StatusRequest,
    StatusSnapshot,
    SupervisorStart,
    Tallied,
    WhereIs,
)
from cicero.config import load_settings
from cicero.domain.runtime.supervision import RestartType, Strategy, SupFlags
from cicero.domain.runtime.tally import Tally
from cicero.sim.control import CrashNext, SimControl
from tests.protocol.actors import WORK_DONE, Count, Counted, Finish, Work, WorkThenFail

SETTINGS = load_settings({})
COUNTER = "tests.protocol.actors:Counter"


def child(name: str, restart: RestartType = RestartType.PERMANENT) -> ChildSpec:
    """A counter that the simulator's control port can crash (`CrashNext`)."""
    return ChildSpec(name, COUNTER, restart, ports=Ports(control=SimControl()))


def flags(intensity: int = 3, strategy: Strategy = Strategy.ONE_FOR_ONE) -> SupFlags:
    return SupFlags(
        strategy, intensity=intensity, period_s=3600, backoff_min_s=0.001, backoff_max_s=0.002
    )


class Tree:
    def __init__(self, children: tuple[ChildSpec, ...], sup: SupFlags) -> None:
        from cicero.actors.supervisor import Supervisor

        self.system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
        self.root = self.system.createActor(Supervisor)
        self.system.tell(self.root, SupervisorStart("root", sup, children, SETTINGS))

    def settle(self) -> None:
        self.system.listen(0.02)  # lets pending restart wakeups fire

    def address(self, name: str):  # type: ignore[no-untyped-def]
        self.settle()
        reply = self.system.ask(self.root, WhereIs(), 1)
        assert isinstance(reply, Directory)
        return reply.addresses.get(name)

    def status(self) -> dict:
        self.settle()
        reply = self.system.ask(self.root, StatusRequest(), 1)
        assert isinstance(reply, StatusSnapshot)
        return reply.data

    def count(self, name: str) -> Counted | None:
        address = self.address(name)
        if address is None:
            return None
        reply = self.system.ask(address, Count(), 1)
        return reply if isinstance(reply, Counted) else None

    def crash(self, name: str) -> None:
        address = self.address(name)
        self.system.tell(address, CrashNext())
        self.system.tell(address, Work(-1))  # the next message raises

    def close(self) -> None:
        self.system.shutdown()


@pytest.fixture
def tree() -> Iterator[Tree]:
    t = Tree((child("a"), child("b"), child("c")), flags())
    yield t
    t.close()


def test_a_crashed_child_is_replaced_with_fresh_state(tree: Tree) -> None:
    tree.system.tell(tree.address("a"), Work(1))
    assert tree.count("a").items == (1,)
    tree.crash("a")
    after = tree.count("a")
    assert after is not None and after.items == ()
    status = tree.status()["actors"]["a"]
    assert status["restarts"] == 1 and "crash injected" in status["last_error"]
    assert tree.status()["actors"]["b"]["restarts"] == 0


def test_what_children_measured_outlives_their_crashes(tree: Tree) -> None:
    """Each child hands its measurements to the supervisor after every message, and before it
    exits on a crash; the supervisor's totals are not reset by a replacement."""
    for i in range(3):
        tree.system.tell(tree.address("a"), Work(i))
    tree.system.tell(tree.address("b"), Work(9))
    tree.system.tell(tree.address("a"), WorkThenFail())
    tree.settle()
    assert tree.address("a") is not None  # replaced
    tree.system.tell(tree.address("a"), Work(5))
    totals = Tally.from_wire(tree.status()["tally"])
    assert dict(totals.counter(WORK_DONE)) == {("a",): 5, ("b",): 1}


def test_past_intensity_the_supervisor_escalates_and_stops_everyone(tree: Tree) -> None:
    for _ in range(4):
        tree.crash("b")
    status = tree.status()
    assert "b: 4 restarts" in status["escalated"]
    assert all(actor["state"] == "stopped" for actor in status["actors"].values())


def test_rest_for_one_restarts_the_failed_child_and_those_after_it() -> None:
    tree = Tree(
        (child("a"), child("b"), child("c")),
        flags(strategy=Strategy.REST_FOR_ONE),
    )
    try:
        for name in "abc":
            tree.system.tell(tree.address(name), Work(7))
        tree.crash("b")
        assert tree.count("a").items == (7,)
        assert tree.count("b").items == () and tree.count("c").items == ()
    finally:
        tree.close()


def test_transient_child_that_finishes_normally_stays_down() -> None:
    tree = Tree((child("t", RestartType.TRANSIENT),), flags())
    try:
        tree.system.tell(tree.address("t"), Finish())
        assert tree.status()["actors"]["t"]["state"] == "down"
        assert tree.status()["escalated"] == ""
    finally:
        tree.close()


def test_unknown_messages_do_not_crash_an_actor(tree: Tree) -> None:
    tree.system.tell(tree.address("a"), "what is this")
    tree.system.tell(tree.address("a"), Work(3))
    assert tree.count("a").items == (3,)
    assert tree.status()["actors"]["a"]["restarts"] == 0


def test_messages_before_start_wait_for_it_and_are_handled_in_order() -> None:
    """A replacement's address is known before its Start lands, and other senders race the
    supervisor: what arrives first is held, never handled by an actor that has not started
    (the Counter's state exists only after Start: it would crash)."""
    from tests.protocol.actors import Counter

    system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
    try:
        counter = system.createActor(Counter)
        system.tell(counter, Work(1))
        system.tell(counter, Work(2))
        system.tell(counter, Count())
        assert system.listen(0.05) is None  # nothing answered before the start
        system.tell(counter, Start("early", SETTINGS, 7))
        started = system.listen(1)  # told to whoever started it: its supervisor, here the test
        assert isinstance(started, Started) and started.name == "early"
        reply = system.listen(1)
        while isinstance(reply, Tallied):  # the Work it measured, told to its "supervisor"
            reply = system.listen(1)
        assert isinstance(reply, Counted) and reply.items == (1, 2)
        assert reply.name == "early"
    finally:
        system.shutdown()


def test_a_supervisor_holds_requests_until_its_own_start() -> None:
    from cicero.actors.supervisor import Supervisor

    system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
    try:
        root = system.createActor(Supervisor)
        system.tell(root, WhereIs())
        assert system.listen(0.05) is None
        system.tell(root, SupervisorStart("root", flags(), (child("a"),), SETTINGS))
        reply = system.listen(1)
        assert isinstance(reply, Directory) and set(reply.addresses) == {"a"}
    finally:
        system.shutdown()


class LetItCrash(RuleBasedStateMachine):
    """Random work and crashes: a child that crashed comes back empty; escalation
    happens exactly when crashes exceed the intensity; after it nothing restarts."""

    INTENSITY = 4

    def __init__(self) -> None:
        super().__init__()
        self.tree = Tree((child("a"), child("b")), flags(self.INTENSITY))
        self.model: dict[str, list[int]] = {"a": [], "b": []}
        self.crashes = 0

    @rule(name=st.sampled_from("ab"), item=st.integers(0, 99))
    def work(self, name: str, item: int) -> None:
        address = self.tree.address(name)
        if address is not None:
            self.tree.system.tell(address, Work(item))
            self.model[name].append(item)

    @rule(name=st.sampled_from("ab"))
    def crash(self, name: str) -> None:
        if self.tree.address(name) is None:
            return
        self.tree.crash(name)
        self.crashes += 1
        self.model[name] = []  # a fresh replacement remembers nothing

    @invariant()
    def escalation_exactly_past_intensity(self) -> None:
        status = self.tree.status()
        assert bool(status["escalated"]) == (self.crashes > self.INTENSITY)

    @invariant()
    def children_are_back_with_fresh_state(self) -> None:
        if self.crashes > self.INTENSITY:
            assert self.tree.address("a") is None and self.tree.address("b") is None
            return
        for name in "ab":
            counted = self.tree.count(name)
            assert counted is not None, f"{name} did not come back"
            assert list(counted.items) == self.model[name]

    def teardown(self) -> None:
        self.tree.close()


LetItCrash.TestCase.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
TestInvariant6LetItCrash = LetItCrash.TestCase


def test_a_supervisor_given_duplicate_children_starts_none_and_says_why() -> None:
    """A second child of one name used to replace the first in the table silently."""
    from cicero.actors.supervisor import Supervisor

    system = ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
    try:
        root = system.createActor(Supervisor)
        specs = (child("a"), child("b"), child("a"))
        system.tell(root, SupervisorStart("root", flags(), specs, SETTINGS))
        status = system.ask(root, StatusRequest(), 1).data
        assert status["escalated"] == "child specs refused: child 'a' is named twice"
        assert status["actors"] == {}
    finally:
        system.shutdown()
