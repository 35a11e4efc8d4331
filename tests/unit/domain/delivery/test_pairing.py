"""What a session does when ops ask it to pair (issue 19 item 2)."""

from datetime import datetime

import pytest

from cicero.domain.delivery.pairing import PairingPlan, is_paired, login_window_open, plan
from cicero.domain.delivery.session import LOGIN_WINDOWS, Session, SessionState
from cicero.domain.people.phones import user_jid
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
JID = user_jid("6281100000009")
S = SessionState


def at(state: SessionState, **kw) -> Session:
    return Session(state=state, since=T0, **kw)


RESTING = at(S.PAIRING, expired_windows=LOGIN_WINDOWS, reason="pairing required: …")
SCANNED = at(S.PAIRING, reason="paired", jid=JID)


def test_a_window_is_open_while_an_unscanned_code_is_on_show():
    assert login_window_open(at(S.PAIRING, reason="pairing required"), qr_shown=True)
    assert not login_window_open(at(S.PAIRING, reason="pairing required"), qr_shown=False)
    assert not login_window_open(RESTING, qr_shown=True)
    assert not login_window_open(SCANNED, qr_shown=True)
    for state in (S.STARTING, S.READY, S.RECONNECTING, S.LOGGED_OUT):
        assert not login_window_open(at(state), qr_shown=True)


@pytest.mark.parametrize(
    ("session", "window", "wants_code", "want"),
    [
        (at(S.PAIRING), True, False, PairingPlan()),
        (at(S.PAIRING), True, True, PairingPlan(code_now=True)),
        (at(S.STARTING), False, True, PairingPlan(wait=True)),  # the first code comes
        (at(S.RECONNECTING), False, True, PairingPlan(wait=True)),  # unpaired, network down
        (RESTING, False, False, PairingPlan(reopen=True)),
        (RESTING, False, True, PairingPlan(reopen=True, wait=True)),
        (at(S.LOGGED_OUT, jid=JID), False, True, PairingPlan(reopen=True, wait=True)),
        (at(S.REPLACED, jid=JID), False, False, PairingPlan(reopen=True)),
        (at(S.BANNED, jid=JID), False, True, PairingPlan(reopen=True, wait=True)),
    ],
)
def test_plans(session, window, wants_code, want):
    assert plan(session, window, wants_code) == want


@pytest.mark.parametrize(
    "session", [at(S.READY, jid=JID), at(S.RECONNECTING, jid=JID), SCANNED]
)
def test_a_paired_session_refuses_in_words(session):
    assert is_paired(session)
    for wants_code in (False, True):
        step = plan(session, False, wants_code)
        assert step.refuse.startswith("already paired with 62*******0009@s.whatsapp.net")
        assert not (step.reopen or step.code_now or step.wait)
