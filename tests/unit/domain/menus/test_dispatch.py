from dataclasses import replace
from datetime import timedelta

import pytest

from cicero.domain.menus import ChatState, MenuMisuse, handle
from cicero.domain.menus.model import (
    REPLY_LIMIT,
    Answered,
    Flow,
    Machine,
    MenuConfig,
    OtpIssued,
    Reply,
    Session,
    StaffFound,
    TextIn,
    Tick,
)
from tests.unit.domain.menus.world import ADMIN, DIRLANTAS, OPERATOR, T0, World, later


def ctx(world: World, phone: str = OPERATOR):
    return world.context(phone, Session.OPERATOR, None)


def test_batal_without_flow_is_silent_and_with_flow_closes():
    w = World()
    assert w.send(OPERATOR, "batal") is None
    w.send(OPERATOR, "oprrequest")
    assert w.send(OPERATOR, "  BATAL ") == "✅ Menu Operator ditutup."
    assert w.states[Session.OPERATOR, OPERATOR].flow is None


def test_keyword_replaces_open_flow():
    w = World()
    w.send(ADMIN, "oprrequest")
    assert "Client: *DITLANTAS*" not in w.send(ADMIN, "dirrequest")
    assert w.states[Session.OPERATOR, ADMIN].flow.machine is Machine.DIRECTORATE


def test_timeout_is_a_parameter_and_sliding():
    w = World(config=MenuConfig(idle_timeout=timedelta(seconds=60)))
    w.send(OPERATOR, "oprrequest", later(0))
    w.send(OPERATOR, "1", later(50))  # accepted: slides to 110
    assert w.tick(later(100)) == {}
    assert "⏰ Sesi berakhir" in w.tick(later(110))[Session.OPERATOR, OPERATOR]


def test_late_message_without_sweep_is_routed_as_if_no_state():
    w = World()
    w.send(OPERATOR, "oprrequest", later(0))
    assert "Perintah yang tersedia" in w.send(OPERATOR, "1", later(301))
    assert w.send(OPERATOR, "batal", later(302)) is None


def test_hint_lists_only_allowed_keywords_once_a_day():
    w = World()
    r = w.send(OPERATOR, "halo")
    assert "oprrequest" in r and "dirrequest" not in r and "clientrequest" not in r
    assert w.send(OPERATOR, "halo", later(3600)) is None
    assert w.send(OPERATOR, "halo", later(24 * 3600)) is not None


def test_refusal_keeps_flow_and_is_said_once_per_hour_per_keyword():
    w = World()
    w.send(OPERATOR, "oprrequest")
    assert w.send(OPERATOR, "dirrequest").startswith("❌")
    assert w.send(OPERATOR, "dirrequest") is None
    assert w.send(OPERATOR, "clientrequest").startswith("❌")
    assert w.states[Session.OPERATOR, OPERATOR].flow.machine is Machine.OPERATOR
    assert w.send(OPERATOR, "dirrequest", later(3600)).startswith("❌")


def test_peripheral_keywords_answer_politely():
    w = World()
    for keyword in ("wabot", "Wabot Ditbinmas", "ditbinmas"):
        reply = w.send(ADMIN, keyword)
        assert "belum tersedia" in reply and "*dirrequest*" in reply
    assert w.states[Session.OPERATOR, ADMIN].flow is None
    assert w.send(DIRLANTAS, "wabot").startswith("❌")  # ditbinmas accounts only


def test_groups_and_gateway_dms_are_silent_except_complaints():
    w = World()
    g = frozenset({"SUKAMAJU"})
    assert w.send(ADMIN, "oprrequest", session=Session.GATEWAY, group=g, chat="g") is None
    assert w.send(ADMIN, "oprrequest", session=Session.GATEWAY) is None
    assert w.send(ADMIN, "oprrequest", session=Session.OPERATOR, group=g, chat="g") is None


def test_text_while_awaiting_is_misuse():
    w = World()
    state, effects = handle(ChatState(), TextIn(T0, "userrequest", ctx(w, "6289900000001")))
    state, effects = handle(state, TextIn(T0, "89050123", ctx(w, "6289900000001")))
    assert state.flow.awaiting == "FindStaff"
    with pytest.raises(MenuMisuse):
        handle(state, TextIn(T0, "ya", ctx(w, "6289900000001")))
    with pytest.raises(MenuMisuse):
        handle(state, Answered(T0, OtpIssued(True), ctx(w)))
    with pytest.raises(MenuMisuse):
        handle(state, Tick(later(600)))


def test_answer_without_question_is_misuse():
    w = World()
    with pytest.raises(MenuMisuse):
        handle(ChatState(), Answered(T0, StaffFound("1", None), ctx(w)))


def test_unknown_step_is_misuse():
    w = World()
    bad = ChatState(flow=Flow(Machine.OPERATOR, "nowhere", later(300), (("client", "SUKAMAJU"),)))
    with pytest.raises(MenuMisuse):
        handle(bad, TextIn(T0, "1", ctx(w)))


def test_reply_invariants():
    with pytest.raises(MenuMisuse):
        Reply("")
    with pytest.raises(MenuMisuse):
        Reply("x" * (REPLY_LIMIT + 1))


def test_state_json_round_trip_and_version():
    w = World()
    w.send(OPERATOR, "oprrequest")
    w.send(OPERATOR, "dirrequest")
    s = w.states[Session.OPERATOR, OPERATOR]
    s = replace(s, nrp_failures=(T0,), locked_until=later(10), hint_sent_at=T0)
    assert ChatState.from_json(s.to_json()) == s
    with pytest.raises(MenuMisuse):
        ChatState.from_json('{"version": 99}')
