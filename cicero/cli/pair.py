"""`cicero pair SESSION [--phone 62…]`: link a WhatsApp number to a session, once.

Runs the neonize transport for that session alone (stop `cicero run` first, or the
session's advisory lock refuses): the QR code is drawn in the terminal as it rotates;
with --phone, a pair code is requested instead, to type under Linked devices → Link
with phone number. Exits 0 once WhatsApp reports the session ready.
"""

from __future__ import annotations

import argparse
import queue
import sys
import time

from cicero.config import load_settings
from cicero.domain.delivery import session as machine
from cicero.domain.people.phones import JidError, mask_phone, normalize_phone

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
    phone = None
    if args.phone:
        try:
            phone = normalize_phone(args.phone)
        except JidError as err:
            print(f"error: --phone: {err}", file=sys.stderr)
            return 2
    from cicero.whatsapp.neonize_transport import NeonizeTransport, sqlite_store
    from cicero.whatsapp.qr import show

    events: queue.Queue[machine.TransportEvent] = queue.Queue()
    transport = NeonizeTransport(args.session, sqlite_store(settings.env.data_dir, args.session))
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
                    show(event.code, args.session)
            elif isinstance(event, machine.Ready):
                print(f"session {args.session} is paired and ready ({mask_phone(str(event.jid))})")
                return 0
            elif isinstance(
                event, machine.ConnectFailed | machine.LoggedOut | machine.TemporarilyBanned
            ):
                print(f"error: session {args.session} could not connect: {event}", file=sys.stderr)
                return 1
        print(
            f"error: not paired within {WAIT_S // 60} minutes; run the command again",
            file=sys.stderr,
        )
        return 1
    finally:
        transport.stop(5)
