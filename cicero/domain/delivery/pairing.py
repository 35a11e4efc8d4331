"""What a session does when ops ask it to pair (the status page, later the dashboard):
a pure decision over the session machine's state (`cicero.domain.delivery.session`).

A login window is a series of rotating QR codes on one socket; a pair code can be asked
for only while one is open, and is valid until it closes. A request that finds no window
open either opens one (a logged-out, replaced, banned or resting session) and waits for
its first code, or is refused in words (already paired).
"""

from __future__ import annotations

from dataclasses import dataclass

from cicero.domain.delivery.session import TERMINAL, Session, SessionState, is_resting
from cicero.domain.people.phones import mask_phone

PAIRED = "paired"  # the machine's reason while a scanned session waits to connect


@dataclass(frozen=True)
class PairingPlan:
    refuse: str = ""  # answer no, with this reason
    reopen: bool = False  # open a new login window first (feed PairRequested)
    code_now: bool = False  # ask the transport for the pair code now
    wait: bool = False  # answer once the window's first QR code is there


def login_window_open(s: Session, qr_shown: bool) -> bool:
    """A QR code of the current window is on show and nobody has scanned it yet."""
    if s.state is not SessionState.PAIRING or is_resting(s):
        return False
    return qr_shown and s.reason != PAIRED


def is_paired(s: Session) -> bool:
    connected = s.jid is not None and s.state in (SessionState.READY, SessionState.RECONNECTING)
    return connected or (s.state is SessionState.PAIRING and s.reason == PAIRED)


def plan(s: Session, window_open: bool, wants_code: bool) -> PairingPlan:
    """What to do for a request (QR codes, or a pair code when `wants_code`)."""
    if is_paired(s):
        number = mask_phone(str(s.jid)) if s.jid is not None else "a number"
        return PairingPlan(
            refuse=f"already paired with {number}: unlink it on that phone (Linked devices) "
            "to pair another number"
        )
    reopen = s.state in TERMINAL or is_resting(s)
    if not wants_code:
        return PairingPlan(reopen=reopen)
    if window_open and not reopen:
        return PairingPlan(code_now=True)
    return PairingPlan(reopen=reopen, wait=True)
