import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.delivery.outbox import (
    DEFAULT_CHAINS,
    MAX_ATTEMPTS,
    TRANSITIONS,
    UNCHAINED,
    Dead,
    MessageKind,
    OutboxMisuse,
    OutboxStatus,
    Priority,
    Retry,
    after_failure,
    check_transition,
    choose_sender,
    expires_at_for,
    message_id_for,
    on_restart,
    outbox_key,
    reply_key,
    retry_delay,
)
from cicero.domain.people.phones import user_jid
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 15, 5, tzinfo=WIB)


def test_key_format():
    key = outbox_key("recap_ditbinmas", T0, user_jid("081234567890"), 2)
    assert key == "recap_ditbinmas|2026-11-23T15:05:00+07:00|6281234567890@s.whatsapp.net|2"


def test_one_instant_one_key_whatever_the_zone():
    utc = T0.astimezone(UTC)
    assert outbox_key("j", utc, "120363000000000001@g.us") == outbox_key(
        "j", T0, "120363000000000001@g.us"
    )


def test_keys_differ_by_each_field():
    base = ("job", T0, "6281234567890", 1)
    keys = {
        outbox_key(*base),
        outbox_key("job2", *base[1:]),
        outbox_key(base[0], T0 + timedelta(minutes=1), *base[2:]),
        outbox_key(*base[:2], "6281234567891", 1),
        outbox_key(*base[:3], 2),
        reply_key("operator", "3EB0ABC", 1),
        reply_key("gateway", "3EB0ABC", 1),
        reply_key("operator", "3EB0ABC", 2),
    }
    assert len(keys) == 8


@pytest.mark.parametrize(
    "call",
    [
        lambda: outbox_key("a|b", T0, "62812345678"),
        lambda: outbox_key("", T0, "62812345678"),
        lambda: outbox_key("job", T0, "x|y"),
        lambda: outbox_key("job", T0, "62812345678", 0),
        lambda: reply_key("operator", "", 1),
        lambda: reply_key("op|x", "ID", 1),
        lambda: reply_key("operator", "ID", 0),
    ],
)
def test_bad_key_parts(call):
    with pytest.raises(OutboxMisuse):
        call()


def test_naive_fire_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        outbox_key("job", datetime(2026, 11, 23, 15, 5), "62812345678")


def test_message_id_is_deterministic_and_whatsapp_shaped():
    key = outbox_key("job", T0, "62812345678")
    mid = message_id_for(key)
    assert mid == message_id_for(key)
    assert re.fullmatch(r"3EB0[0-9A-F]{16}", mid)
    assert mid != message_id_for(key + "x")


@settings(max_examples=200)
@given(st.text(min_size=1), st.text(min_size=1))
def test_message_ids_differ_for_different_keys(a, b):
    assert (message_id_for(a) == message_id_for(b)) == (a == b)


def test_priorities():
    assert [p.value for p in Priority] == [0, 1, 2, 3]
    assert sorted([Priority.FILE, Priority.MENU_REPLY, Priority.RECAP])[0] is Priority.MENU_REPLY


def test_retry_delays():
    assert retry_delay(1, 0.5) == pytest.approx(2.0)
    assert retry_delay(2, 0.5) == pytest.approx(4.0)
    assert retry_delay(1, 0.0) == pytest.approx(1.6)
    assert retry_delay(30, 0.5) == pytest.approx(300.0)
    assert retry_delay(30, 0.999999) == pytest.approx(360.0, rel=1e-5)


@settings(max_examples=200)
@given(st.integers(1, 10_000), st.floats(0, 1, exclude_max=True))
def test_retry_delay_bounds(attempt, jitter):
    d = retry_delay(attempt, jitter)
    assert 1.6 <= d <= 360.0
    assert d <= retry_delay(attempt + 1, jitter)


def test_after_failure():
    assert after_failure(1, True, "timeout", T0, 0.5) == Retry(T0 + timedelta(seconds=2))
    assert after_failure(3, False, "not on WhatsApp", T0, 0.5) == Dead("not on WhatsApp")
    dead = after_failure(MAX_ATTEMPTS, True, "timeout", T0, 0.5)
    assert isinstance(dead, Dead) and "8 attempts" in dead.reason
    assert isinstance(after_failure(MAX_ATTEMPTS - 1, True, "x", T0, 0.5), Retry)
    expired = after_failure(5, True, "x", T0, 0.5, expires_at=T0 + timedelta(seconds=10))
    assert expired == Dead("x (expired)")
    assert isinstance(after_failure(2, True, "x", T0, 0.5, max_attempts=2), Dead)


@settings(max_examples=100)
@given(st.lists(st.floats(0, 1, exclude_max=True), min_size=MAX_ATTEMPTS, max_size=20))
def test_a_failing_row_dies_after_max_attempts(jitters):
    now, outcomes = T0, []
    for attempt, j in enumerate(jitters, start=1):
        out = after_failure(attempt, True, "timeout", now, j)
        outcomes.append(out)
        if isinstance(out, Dead):
            break
        assert out.at > now
        now = out.at
    assert len(outcomes) == MAX_ATTEMPTS and isinstance(outcomes[-1], Dead)


@pytest.mark.parametrize("status", list(OutboxStatus))
def test_on_restart(status):
    with_id = on_restart(status, transport_accepts_caller_id=True)
    without = on_restart(status, transport_accepts_caller_id=False)
    if status is OutboxStatus.SENDING:
        assert (with_id, without) == (OutboxStatus.PENDING, OutboxStatus.IN_DOUBT)
    else:
        assert with_id is without is status


def test_transitions():
    check_transition(OutboxStatus.PENDING, OutboxStatus.SENDING)
    check_transition(OutboxStatus.SENDING, OutboxStatus.IN_DOUBT)
    for old, new in [
        (OutboxStatus.SENT, OutboxStatus.PENDING),
        (OutboxStatus.DEAD, OutboxStatus.PENDING),
        (OutboxStatus.PENDING, OutboxStatus.SENT),  # never sent without `sending` first
        (OutboxStatus.IN_DOUBT, OutboxStatus.SENDING),
    ]:
        with pytest.raises(OutboxMisuse):
            check_transition(old, new)
    # sent and dead are final
    assert not [t for t in TRANSITIONS if t[0] in (OutboxStatus.SENT, OutboxStatus.DEAD)]


def test_expiry():
    assert expires_at_for(Priority.BROADCAST, T0) == T0 + timedelta(hours=1)
    end = datetime(2026, 11, 24, 0, 0, tzinfo=WIB)
    assert expires_at_for(Priority.RECAP, T0) == end
    # 20:00 UTC is already the next WIB day
    late = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert expires_at_for(Priority.FILE, late) == datetime(2026, 11, 25, 0, 0, tzinfo=WIB)


# --- sender fallback -----------------------------------------------------------------------


def pick(kind, ready, since=None, refused=frozenset(), now=T0):
    return choose_sender(kind, DEFAULT_CHAINS, frozenset(ready), since or {}, now, refused=refused)


def test_default_chains():
    assert DEFAULT_CHAINS[MessageKind.GROUP_BROADCAST] == ("gateway", "operator")
    assert DEFAULT_CHAINS[MessageKind.OPERATOR_DIRECT] == ("operator",)
    assert DEFAULT_CHAINS[MessageKind.ADMIN_NOTICE] == ("operator", "gateway")
    assert set(DEFAULT_CHAINS) == set(MessageKind) - UNCHAINED


def test_first_ready_in_chain_sends():
    assert pick("group_broadcast", {"gateway", "operator"}) == "gateway"
    assert pick("admin_notice", {"gateway", "operator"}) == "operator"


def test_waits_for_the_preferred_session_until_fallback_after():
    since = {"gateway": T0 - timedelta(minutes=9)}
    assert pick("reminder", {"operator"}, since) is None
    since = {"gateway": T0 - timedelta(minutes=10)}
    assert pick("reminder", {"operator"}, since) == "operator"


def test_unknown_unready_time_falls_through():
    assert pick("group_broadcast", {"operator"}) == "operator"


def test_operator_direct_has_no_fallback():
    assert pick("operator_direct", {"gateway"}) is None


def test_refused_session_is_skipped():
    assert pick("group_broadcast", {"gateway", "operator"}, refused={"gateway"}) == "operator"
    assert pick("operator_direct", {"operator"}, refused={"operator"}) is None


def test_unknown_kind():
    with pytest.raises(OutboxMisuse, match="'fax'"):
        pick("fax", {"operator"})


SESSIONS = ["gateway", "operator", "user"]


@settings(max_examples=300)
@given(
    chain=st.lists(st.sampled_from(SESSIONS), min_size=1, max_size=3, unique=True),
    ready=st.sets(st.sampled_from(SESSIONS)),
    minutes=st.dictionaries(st.sampled_from(SESSIONS), st.integers(0, 60)),
    refused=st.frozensets(st.sampled_from(SESSIONS)),
)
def test_choose_sender_properties(chain, ready, minutes, refused):
    since = {s: T0 - timedelta(minutes=m) for s, m in minutes.items()}
    got = choose_sender("k", {"k": chain}, frozenset(ready), since, T0, refused=refused)
    if got is None:
        # nobody usable is ready, or we wait for an earlier, recently lost one
        usable = [s for s in chain if s not in refused]
        first_ready = next((i for i, s in enumerate(usable) if s in ready), None)
        if first_ready is not None:
            assert any(
                s in since and T0 - since[s] < timedelta(minutes=10) for s in usable[:first_ready]
            )
    else:
        assert got in ready and got in chain and got not in refused
        # everything before it in the chain is refused or unready long enough
        for s in chain[: chain.index(got)]:
            assert s in refused or (
                s not in ready and (s not in since or T0 - since[s] >= timedelta(minutes=10))
            )


# --- the sender fallback as one session sees it ----------------------------------------------


def test_takeover_waits_for_the_preferred_sender_then_takes_its_kinds() -> None:
    from cicero.domain.delivery.outbox import Takeover, takeover

    down_at = T0 - timedelta(minutes=4)
    states = {"gateway": ("reconnecting", down_at), "operator": ("ready", T0 - timedelta(hours=1))}
    waiting = takeover("operator", DEFAULT_CHAINS, states, T0)
    assert waiting == Takeover((), down_at + timedelta(minutes=10))
    later = takeover("operator", DEFAULT_CHAINS, states, down_at + timedelta(minutes=10))
    taken = {kind for kind, earlier in later.moves if earlier == ("gateway",)}
    assert taken == {"group_broadcast", "directorate_personal", "reminder"}
    assert later.next_look is None
    # The gateway comes first in those chains: it never takes them over; and it takes
    # the operator's admin notices only once the operator has been unready long enough.
    assert takeover("gateway", DEFAULT_CHAINS, states, T0).moves == ()


def test_takeover_passes_over_a_sender_never_seen_ready() -> None:
    from cicero.domain.delivery.outbox import takeover

    states = {"operator": ("ready", T0)}  # the gateway has no line in the session log
    moves = dict(takeover("operator", DEFAULT_CHAINS, states, T0).moves)
    assert moves["reminder"] == ("gateway",)
