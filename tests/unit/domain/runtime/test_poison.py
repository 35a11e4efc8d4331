"""The poison-message policy (invariant 7): bounded tries, then set aside; one notice."""

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime import poison

T0 = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)


@given(st.lists(st.sampled_from(["ok", "raises", "process dies"]), min_size=1, max_size=12))
def test_a_message_is_tried_at_most_max_attempts_then_set_aside(outcomes: list[str]) -> None:
    """Whatever each try does, the message ends handled or set aside within MAX_ATTEMPTS
    tries; set aside only after MAX_ATTEMPTS tries, with the last error class recorded."""
    tries, last_error, end, raised = 0, "", None, False
    for outcome in [*outcomes, *["raises"] * poison.MAX_ATTEMPTS]:
        decision = poison.before_attempt(tries, last_error)
        if isinstance(decision, poison.SetAside):
            end = decision
            break
        tries += 1  # counted before the try begins
        assert decision.number == tries
        if outcome == "ok":
            end = "handled"
            break
        if outcome == "raises":
            raised = True
            verdict = poison.after_failure(decision.number, "ValueError")
            if isinstance(verdict, poison.SetAside):
                end = verdict
                break
            last_error = "ValueError"
    assert tries <= poison.MAX_ATTEMPTS
    if isinstance(end, poison.SetAside):
        assert tries == poison.MAX_ATTEMPTS
        # The class of the error a try raised; only tries that all died say so.
        assert end.error == ("ValueError" if raised else poison.DIED)
    else:
        assert end == "handled"


def test_tries_used_up_by_deaths_alone_are_recorded_as_such() -> None:
    assert poison.before_attempt(poison.MAX_ATTEMPTS, "") == poison.SetAside(poison.DIED)
    assert poison.before_attempt(poison.MAX_ATTEMPTS, "KeyError") == poison.SetAside("KeyError")
    assert poison.before_attempt(0, "") == poison.Attempt(1)
    assert poison.after_failure(1, "KeyError") == poison.Retry()
    assert poison.after_failure(poison.MAX_ATTEMPTS, "KeyError") == poison.SetAside("KeyError")


@given(st.lists(st.integers(0, 3600), min_size=1, max_size=30), st.booleans(), st.booleans())
def test_a_chat_hears_the_notice_at_most_once_per_gap(
    gaps: list[int], is_group: bool, answers_groups: bool
) -> None:
    now, last, told = T0, None, []
    for gap in gaps:
        now += timedelta(seconds=gap)
        if poison.tell_sender(is_group, answers_groups, last, now):
            told.append(now)
        last = now  # every failure is a set-aside, told or not
    if is_group and not answers_groups:
        assert told == []
    else:
        assert told and told[0] == T0 + timedelta(seconds=gaps[0])
    assert all(b - a >= poison.NOTICE_GAP for a, b in itertools.pairwise(told))


def test_the_notice_is_short_indonesian_and_its_key_is_per_message() -> None:
    assert len(poison.NOTICE) < 200 and "pesan Anda" in poison.NOTICE
    assert poison.notice_key("operator", "A|B") != poison.notice_key("operator", "A")
