"""`cicero pair SESSION [--phone 62…]`: link a WhatsApp number to a session, once.

Runs the neonize transport for that session alone, holding the data directory's lock (so
not while `cicero run` holds it: it says so in one line; one client per number): the QR
code is drawn in the terminal as it rotates; with --phone, a pair code is asked for instead
(again for each new login window), to type under Linked devices → Link with phone number.
A login window that ends unscanned is followed by a new one until the time is up. With the
simulated WhatsApp (the default) there is nothing to pair, and it says so. Exits 0 once
WhatsApp reports the session ready; 1 when it cannot be paired (logged out, banned, no
connection, time up), each reason one line in words; 2 for a wrong command line or a
running service; 130 on Ctrl-C.

neonize 0.5.2 never ends the Go call of a login window that was stopped or ran out, and
that call runs on a non-daemon thread: the command then ends its process with `os._exit`
once everything is printed, so Ctrl-C returns at once instead of hanging.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from cicero import instance_lock
from cicero.config import Settings, load_settings
from cicero.domain.delivery import session as machine
from cicero.domain.people.phones import JidError, mask_phone, normalize_phone
from cicero.domain.timezone import to_wib

if TYPE_CHECKING:
    from cicero.whatsapp.transport import WhatsAppTransport

WAIT_S = 300
EXIT_INTERRUPTED = 130


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
            return _run(settings.env.data_dir, args.session, phone, settings)
    except instance_lock.AlreadyRunning as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _run(data_dir: Path, session: str, phone: str | None, settings: Settings) -> int:
    from cicero.whatsapp.neonize_transport import NeonizeTransport, sqlite_store

    transport = NeonizeTransport(session, sqlite_store(data_dir, session))
    timeout = settings.config.runtime.shutdown_timeout_s
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a stop from a supervisor, like Ctrl-C
    try:
        code = _pair(transport, session, phone)
    except KeyboardInterrupt:
        print(f"\ninterrupted: session {session} was not paired", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except Exception as err:  # the transport's own errors (no network, a refused request)
        print(f"error: session {session} could not pair: {_short(err)}", file=sys.stderr)
        code = 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    transport.stop(timeout)
    if transport.stuck:  # a login window's Go call: it would keep the process alive
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    return code


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _pair(transport: WhatsAppTransport, session: str, phone: str | None) -> int:
    from cicero.whatsapp.qr import show
    from cicero.whatsapp.transport import TransportError

    events: queue.Queue[machine.TransportEvent] = queue.Queue()
    transport.start(events.put)
    asked = False  # a pair code was asked for in this login window
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.5)
        except queue.Empty:
            continue
        if isinstance(event, machine.QrCode):
            if phone is None:
                show(event.code, session)
            elif not asked:
                asked = True
                try:
                    code = transport.request_pair_code(phone)
                except TransportError as err:
                    print(f"error: no pair code for {mask_phone(phone)}: {err}", file=sys.stderr)
                    return 1
                where = "WhatsApp → Linked devices → Link a device → Link with phone number instead"
                print(f"Pair code for {mask_phone(phone)}: {code}  ({where})", flush=True)
        elif isinstance(event, machine.PairingExpired):
            print(f"{event.reason}: a new login window opens", file=sys.stderr, flush=True)
            asked = False
            transport.stop(1)
            transport.start(events.put)
        elif isinstance(event, machine.Paired):
            print(f"linked to {mask_phone(str(event.jid))}; connecting…", flush=True)
        elif isinstance(event, machine.Ready):
            print(f"session {session} is paired and ready ({mask_phone(str(event.jid))})")
            return 0
        elif isinstance(
            event,
            machine.ConnectFailed
            | machine.LoggedOut
            | machine.TemporarilyBanned
            | machine.Replaced,
        ):
            print(f"error: session {session}: {in_words(event)}", file=sys.stderr)
            return 1
    print(
        f"error: not paired within {WAIT_S // 60} minutes; run the command again", file=sys.stderr
    )
    return 1


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
    if isinstance(event, machine.Replaced):
        return "another client took over this number: stop it, then pair again"
    return f"stopped: {type(event).__name__}"


def _short(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0][:200]}" if lines else type(err).__name__
