"""One rule for a failed send, whatever the channel: the fate of the row, and which adapter
exception is which kind of failure."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cicero.domain.delivery.failures import (
    UNTIL_EXPIRY,
    Again,
    Failure,
    InDoubt,
    after_send_failure,
)
from cicero.domain.delivery.outbox import MAX_ATTEMPTS, Dead
from cicero.domain.timezone import WIB
from cicero.mail.smtp import MailRefused, MailUnreachable
from cicero.whatsapp.transport import NotReady, RecipientInvalid, SendFailed, SendOutcomeUnknown

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


class Draws:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> float:
        self.count += 1
        return 0.5


@pytest.mark.parametrize(
    ("failure", "fate"),
    [
        (Failure.REFUSED, Dead("nope")),
        (Failure.NOT_READY, Again(NOW, "not ready: nope")),
        (Failure.UNKNOWN, InDoubt("nope")),
    ],
)
def test_failures_that_need_no_backoff_draw_no_jitter(failure: Failure, fate: object) -> None:
    draws = Draws()
    assert after_send_failure(failure, "nope", 1, NOW, draws) == fate
    assert draws.count == 0  # a seeded generator stays where it was


@pytest.mark.parametrize("failure", [Failure.TRANSIENT, Failure.OUTAGE])
def test_a_retryable_failure_backs_off_and_keeps_its_reason(failure: Failure) -> None:
    draws = Draws()
    fate = after_send_failure(failure, "timeout", 1, NOW, draws)
    assert isinstance(fate, Again) and fate.error == "timeout" and fate.at > NOW
    assert draws.count == 1


def test_a_transient_failure_gives_up_after_the_attempts_an_outage_does_not() -> None:
    last = MAX_ATTEMPTS
    assert isinstance(after_send_failure(Failure.TRANSIENT, "x", last, NOW, Draws()), Dead)
    assert isinstance(after_send_failure(Failure.OUTAGE, "x", last, NOW, Draws()), Again)
    assert isinstance(after_send_failure(Failure.OUTAGE, "x", UNTIL_EXPIRY, NOW, Draws()), Dead)


def test_every_retry_ends_at_the_rows_expiry() -> None:
    soon = NOW + timedelta(seconds=1)
    for failure in (Failure.TRANSIENT, Failure.OUTAGE):
        fate = after_send_failure(failure, "x", 3, NOW, Draws(), expires_at=soon)
        assert fate == Dead("x (expired)")


def test_only_the_senders_own_failures_stop_a_drain() -> None:
    assert {f for f in Failure if f.of_sender} == {Failure.NOT_READY, Failure.OUTAGE}


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (RecipientInvalid("62812", "not on WhatsApp"), Failure.REFUSED),
        (NotReady(), Failure.NOT_READY),
        (SendOutcomeUnknown("no ack"), Failure.UNKNOWN),
        (SendFailed("rate limited", retryable=True), Failure.TRANSIENT),
        (SendFailed("blocked", retryable=False), Failure.REFUSED),
        (MailRefused("550 no such user"), Failure.REFUSED),
        (MailUnreachable("connection refused"), Failure.OUTAGE),
    ],
)
def test_each_adapter_names_its_failures_kind(error: object, failure: Failure) -> None:
    assert getattr(error, "failure") is failure  # noqa: B009


def test_mail_failures_keep_the_words_the_outbox_stored_before() -> None:
    assert MailRefused("550 no such user").reason == "refused: 550 no such user"
    assert MailUnreachable("connection refused").reason == "SMTP: connection refused"
