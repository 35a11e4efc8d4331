"""Pairing: the part of a session actor that shows QR codes (the terminal of `cicero run`,
the status report) and answers ops' `PairingRequest` for fresh codes or a pair code,
from a running service. The decisions are `cicero.domain.delivery.pairing`'s.

`Pairing` is a mixin of `SessionActor`: it uses the actor's machine state, transport and
clock, and keeps the codes on show and one pending request.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cicero.actors.messages import PairingReply, PairingRequest
from cicero.domain.delivery import pairing
from cicero.domain.delivery import session as machine
from cicero.domain.people.phones import JidError, mask_phone, normalize_phone
from cicero.whatsapp import qr as qr_image
from cicero.whatsapp.transport import TransportError

if TYPE_CHECKING:
    from cicero.actors.ports import ActorAddress, Clock
    from cicero.actors.session import SessionOptions
    from cicero.whatsapp.transport import WhatsAppTransport

PAIR_CODE_WAIT = timedelta(seconds=30)  # for a login window to open, to ask for a pair code
HOW_TO_SCAN = "WhatsApp → Linked devices → Link a device"


class Pairing:
    """QR codes on show and pairing requests (mixed into `SessionActor`)."""

    # Provided by SessionActor (and Thespian's `send`); declared for the type checker only,
    # so that nothing here shadows the actor's own.
    session: str
    state: machine.Session
    clock: Clock
    log: logging.Logger

    if TYPE_CHECKING:

        @property
        def started_transport(self) -> WhatsAppTransport: ...
        @property
        def started_options(self) -> SessionOptions: ...
        def send(self, target: ActorAddress, message: object) -> None: ...
        def _feed(self, event: machine.Event) -> None: ...
        def _process_events(self) -> None: ...
        def _report(self) -> None: ...

    def _init_pairing(self) -> None:
        self.qr = ""  # the latest QR code of an open login window (the text to encode)
        self.qr_at: datetime | None = None
        self.pair_code = ""  # the latest pair code given out, while pairing
        self.pair_code_for = ""  # the number it is for, masked
        self.pair_code_at: datetime | None = None
        self.pending_pair: tuple[Any, str, datetime] | None = None  # (reply to, phone, until)

    def _show_qr(self, code: str) -> None:
        first = not self.qr
        self.qr, self.qr_at = code, self.clock.now()
        if self.started_options.draw_qr:  # the terminal of `cicero run`; codes rotate every 20-60 s
            if first:
                self.log.warning("session %s is waiting to be paired: scan the QR code below "
                                 "or on the status page", self.session)  # fmt: skip
            try:
                qr_image.show(code, self.session)
            except Exception as err:  # a code segno cannot draw is still on the status page
                self.log.warning("session %s: could not draw the QR code: %s", self.session, err)
        self._answer_pending_pair()
        self._report()

    def _show_pair_code(self, code: str) -> None:
        self.pair_code, self.pair_code_at = code, self.clock.now()
        told = self.pair_code_for or "number not told"
        self.log.warning("session %s: a pair code was given out (%s)", self.session, told)

    def _forget_codes(self) -> None:
        self.qr, self.qr_at = "", None
        self.pair_code, self.pair_code_for, self.pair_code_at = "", "", None

    def _window_open(self) -> bool:
        return pairing.login_window_open(self.state, bool(self.qr))

    def _pairing_report(self) -> dict[str, Any]:
        """The pairing part of the session's status report (the status page draws `qr`)."""
        s = self.state
        window = self._window_open()
        shown = s.state is machine.SessionState.PAIRING
        return {
            "qr": self.qr if window else "",
            "qr_at": self.qr_at.isoformat() if window and self.qr_at else "",
            "pair_code": self.pair_code if shown else "",
            "pair_code_for": self.pair_code_for if shown else "",
            "pair_code_at": self.pair_code_at.isoformat() if shown and self.pair_code_at else "",
            "login_window_open": window,
            "pairing_resting": machine.is_resting(s),  # windows expired: ops ask again
        }

    def receiveMsg_PairingRequest(self, message: PairingRequest, sender: Any) -> None:
        reply_to = message.reply_to or sender
        answer = self._pairing(message, reply_to)
        if answer is not None:
            self.send(reply_to, answer)
        self._report()

    def _pairing(self, message: PairingRequest, reply_to: Any) -> PairingReply | None:
        name = self.session
        if message.session != name:
            return PairingReply(
                message.session, False, f"this is session {name}, not {message.session}"
            )
        phone = None
        if message.phone is not None:
            try:
                phone = normalize_phone(str(message.phone))
            except JidError as err:
                return PairingReply(name, False, f"not a number WhatsApp can link: {err}")
        step = pairing.plan(self.state, self._window_open(), phone is not None)
        if step.refuse:
            return PairingReply(name, False, f"session {name} is {step.refuse}")
        if step.reopen:
            self._feed(machine.PairRequested())  # a new login window
            self._process_events()
        if phone is None:
            if self._window_open():
                return PairingReply(
                    name, True, f"QR codes are on show: scan one with {HOW_TO_SCAN}"
                )
            return PairingReply(name, True, "a login window is opening: QR codes follow in the "
                                "terminal and on the status page")  # fmt: skip
        if step.code_now or self._window_open():
            return self._pair_code(phone)
        if self.pending_pair is not None:  # one at a time: the newer wins
            self.send(
                self.pending_pair[0], PairingReply(name, False, "replaced by a newer request")
            )
        self.pending_pair = (reply_to, phone, self.clock.now() + PAIR_CODE_WAIT)
        return None  # answered when the login window opens (its first QR code)

    def _pair_code(self, phone: str) -> PairingReply:
        try:
            code = self.started_transport.request_pair_code(phone)
        except (TransportError, JidError) as err:
            return PairingReply(self.session, False, f"no pair code: {err}")
        self.pair_code_for = mask_phone(phone)
        return PairingReply(
            self.session, True, f"on the phone of {mask_phone(phone)}: {HOW_TO_SCAN} → Link with "
            f"phone number instead, and type {code} (within 2 minutes)",
            code,
        )  # fmt: skip

    def _answer_pending_pair(self) -> None:
        pending, self.pending_pair = self.pending_pair, None
        if pending is not None:
            self.send(pending[0], self._pair_code(pending[1]))

    def _expire_pending_pair(self) -> None:
        pending = self.pending_pair
        if pending is not None and self.clock.now() >= pending[2]:
            self.pending_pair = None
            s = self.state
            why = s.state.value + (f": {s.reason}" if s.reason else "")
            wait = int(PAIR_CODE_WAIT.total_seconds())
            self.send(pending[0], PairingReply(
                self.session, False, f"no login window opened within {wait} s (session {why})"
            ))  # fmt: skip

    def _refuse_pending_pair(self, why: str) -> None:
        if self.pending_pair is not None:
            self.send(self.pending_pair[0], PairingReply(self.session, False, why))
            self.pending_pair = None

    def _abandon_pending_pair(self) -> None:
        self._refuse_pending_pair("the session is stopping")
