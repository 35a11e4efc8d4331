"""`cicero pair SESSION [--phone 62…]`: link a WhatsApp number to a session, once.

Runs the neonize transport for that session alone, holding the data directory's lock
(so not while `cicero run` holds it: it says so in one line): the QR code is drawn in
the terminal as it rotates; with --phone, a pair code is requested instead, to type
under Linked devices → Link with phone number. Exits 0 once WhatsApp reports the
session ready; with the simulated WhatsApp (the default) there is nothing to pair, and
it says so. Every failure is one line in words, exit 1 (2 for a wrong command line).
"""

from __future__ import annotations

import argparse
import queue
import sys
import time
from pathlib import Path

from cicero import instance_lock
from cicero.config import load_settings
from cicero.domain.delivery import session as machine
from cicero.domain.people.phones import JidError, mask_phone, normalize_phone
from cicero.domain.timezone import to_wib

WAIT_S = 300


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("pair", help="link a WhatsApp number to a session (QR code or pair code)")
    p.add_argument("session", help="session name from config (e.g. operator, gateway)")
    p.add_argument("--phone", help="the number to link, for a pair code instead of a QR (62…)")
    p.set_defaults(func=cmd_pair)


def cmd_pair(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.session not in settings.config.sessions:
        known = ", ".join(settings.config.sessions)
        print(f"error: no session {args.session!r} in config (known: {known})", file=sys.stderr)
        return 2
    if settings.env.whatsapp == "simulator":
        print(
            "error: WhatsApp is simulated here (CICERO_WHATSAPP=simulator): there is no real "
            "number to pair; set CICERO_WHATSAPP=neonize to link one",
            file=sys.stderr,
        )
        return 2
    phone = None
    if args.phone:
        try:
            phone = normalize_phone(args.phone)
        except JidError as err:
            print(f"error: --phone: {err}", file=sys.stderr)
            return 2
    try:
        with instance_lock.holding(settings.env.data_dir, "cicero pair"):
            return _pair(settings.env.data_dir, args.session, phone)
    except instance_lock.AlreadyRunning as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # the transport's own errors (no network, a refused request)
        print(f"error: session {args.session} could not pair: {_short(err)}", file=sys.stderr)
        return 1


def _pair(data_dir: Path, session: str, phone: str | None) -> int:
    from cicero.whatsapp.neonize_transport import NeonizeTransport, sqlite_store
    from cicero.whatsapp.qr import show

    events: queue.Queue[machine.TransportEvent] = queue.Queue()
    transport = NeonizeTransport(session, sqlite_store(data_dir, session))
    transport.start(events.put)
    asked = False
    deadline = time.monotonic() + WAIT_S
    try:
        while time.monotonic() < deadline:
            try:
                event = events.get(timeout=1)
            except queue.Empty:
                continue
            if isinstance(event, machine.QrCode):
                if phone and not asked:
                    code = transport.request_pair_code(phone)
                    where = "WhatsApp → Linked devices → Link with phone number"
                    print(f"Pair code for {mask_phone(phone)}: {code}  ({where})")
                    asked = True
                elif not phone:
                    show(event.code, session)
            elif isinstance(event, machine.Ready):
                print(f"session {session} is paired and ready ({mask_phone(str(event.jid))})")
                return 0
            elif isinstance(
                event, machine.ConnectFailed | machine.LoggedOut | machine.TemporarilyBanned
            ):
                print(f"error: session {session}: {in_words(event)}", file=sys.stderr)
                return 1
        print(
            f"error: not paired within {WAIT_S // 60} minutes; run the command again",
            file=sys.stderr,
        )
        return 1
    finally:
        transport.stop(5)


def in_words(event: machine.TransportEvent) -> str:
    """Why pairing stopped, for the person at the terminal."""
    if isinstance(event, machine.ConnectFailed):
        return (
            f"could not reach WhatsApp ({event.reason}): check this host's internet connection "
            "(and any proxy or firewall), then run the command again"
        )
    if isinstance(event, machine.LoggedOut):
        return f"WhatsApp refused the link ({event.reason}): run the command again for a new code"
    if isinstance(event, machine.TemporarilyBanned):
        until = f" until {to_wib(event.until):%d/%m %H.%M} WIB" if event.until else ""
        return (
            f"WhatsApp has banned this number for now{until} (code {event.code}): wait, then pair"
        )
    return f"stopped: {type(event).__name__}"


def _short(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0][:200]}" if lines else type(err).__name__
