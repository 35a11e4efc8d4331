"""whatsmeow's send refusals, by what they mean for an outbox row (issue 19 item 5)."""

from datetime import UTC, datetime, timedelta

import pytest

from cicero.domain.delivery.refusals import (
    NOT_ON_WHATSAPP_FOR,
    NotOnWhatsApp,
    Refusal,
    classify,
    is_not_on_whatsapp,
)

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # The texts whatsmeow's send path gives (errors.go, send.go), as neonize passes them.
        ("no LID found for 6281299999999@s.whatsapp.net from server", Refusal.RECIPIENT_INVALID),
        ("can't send message to unknown server lid", Refusal.RECIPIENT_INVALID),
        ("can't send message to unknown server newsletter", Refusal.RECIPIENT_INVALID),
        ("message recipient must be a user JID with no device part", Refusal.RECIPIENT_INVALID),
        ("sending to non-status broadcast lists is not yet supported", Refusal.RECIPIENT_INVALID),
        ("failed to get group members: you're not participating in that group",
         Refusal.RECIPIENT_INVALID),
        ("failed to get group members: that group does not exist", Refusal.RECIPIENT_INVALID),
        ("invalid inline bot ID", Refusal.RECIPIENT_INVALID),
        ("international phone number required (must not start with 0)", Refusal.RECIPIENT_INVALID),
        ("client is nil", Refusal.NOT_READY),
        ("the store doesn't contain a device JID", Refusal.NOT_READY),
        ("failed to get user info for 6281@s.whatsapp.net to fill LID cache: websocket not connected",
         Refusal.NOT_READY),
        ("failed to send message node: websocket not connected", Refusal.NOT_READY),
        ("timed out waiting for message send response", Refusal.OUTCOME_UNKNOWN),
        ("websocket disconnected before message send returned response", Refusal.OUTCOME_UNKNOWN),
        ("info query timed out", Refusal.RETRYABLE),
        ("server returned error 479", Refusal.RETRYABLE),
        ("failed to get device list: info query timed out", Refusal.RETRYABLE),
        ("can't encrypt message for device: no signal session established with 62:1", Refusal.RETRYABLE),
        ("", Refusal.RETRYABLE),
    ],
)
def test_classify(text, kind):
    assert classify(text) is kind
    assert classify(text.upper()) is kind  # neonize passes the text as Go wrote it


def test_not_on_whatsapp_is_told_from_the_other_refusals():
    assert is_not_on_whatsapp("No LID found for 62812@s.whatsapp.net from server")
    assert not is_not_on_whatsapp("can't send message to unknown server lid")


def test_an_answer_is_kept_for_a_day():
    memory = NotOnWhatsApp()
    assert memory.known("6281299999999", T0) is None
    memory.note("6281299999999", "no LID found", T0)
    seen = memory.known("6281299999999", T0 + NOT_ON_WHATSAPP_FOR - timedelta(seconds=1))
    assert seen is not None and seen.reason == "no LID found" and seen.at == T0
    assert memory.known("6281299999999", T0 + NOT_ON_WHATSAPP_FOR) is None  # asked again
    assert len(memory) == 0


def test_a_clock_that_went_back_forgets():
    memory = NotOnWhatsApp()
    memory.note("6281299999999", "no LID found", T0)
    assert memory.known("6281299999999", T0 - timedelta(minutes=1)) is None


def test_forget_and_bound():
    memory = NotOnWhatsApp(limit=3)
    for i in range(5):
        memory.note(f"62812000000{i:02d}", "no LID found", T0 + timedelta(seconds=i))
    assert len(memory) == 3
    assert memory.known("6281200000000", T0 + timedelta(seconds=9)) is None  # oldest dropped
    assert memory.known("6281200000004", T0 + timedelta(seconds=9)) is not None
    memory.forget("6281200000004")  # it wrote to us after all
    assert memory.known("6281200000004", T0 + timedelta(seconds=9)) is None
    memory.note("6281200000003", "again", T0 + timedelta(seconds=10))  # a new answer moves it last
    memory.note("6281200000005", "x", T0 + timedelta(seconds=11))
    memory.note("6281200000006", "x", T0 + timedelta(seconds=12))
    assert memory.known("6281200000003", T0 + timedelta(seconds=12)) is not None
