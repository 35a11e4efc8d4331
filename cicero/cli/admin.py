"""`cicero admin add USERNAME --password-stdin`: the only way to make a dashboard admin
(api.md §1). The password is read from standard input (never an argument: shell history and
`ps` would keep it); the TOTP enrolment URI is printed once, to scan into an authenticator."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from cicero.cli.database import with_database
from cicero.domain.timezone import WIB

if TYPE_CHECKING:
    import asyncpg


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("admin", help="dashboard admins (password + TOTP)")
    admin_sub = p.add_subparsers(dest="admin_command", metavar="ACTION")
    add = admin_sub.add_parser("add", help="create an admin; prints the otpauth:// URI once")
    add.add_argument("username")
    add.add_argument(
        "--password-stdin", action="store_true", required=True,
        help="read the password from standard input (first line)",
    )  # fmt: skip
    add.add_argument("--name", default="", help="full name shown on the pages")
    add.add_argument("--whatsapp", help="number told of new registrations (62…)")
    add.set_defaults(func=cmd_admin_add)


def cmd_admin_add(args: argparse.Namespace) -> int:
    from cicero.dashboard.admins import AdminRefused, add_admin, check
    from cicero.db.migrate import migrate
    from cicero.web.passwords import hasher

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        check(args.username, password, args.whatsapp)
    except AdminRefused as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    hashed = hasher().hash(password)
    outcome: list[str] = []

    async def action(conn: asyncpg.Connection) -> None:
        await migrate(conn)
        try:
            made = await add_admin(
                conn, args.username, args.name, args.whatsapp, password, hashed,
                datetime.now(WIB),
            )  # fmt: skip
        except AdminRefused as err:
            outcome.append(str(err))
            return
        print(f"admin {made.username} created (id {made.id}).")
        print("Scan or import this into an authenticator app now; it is not shown again:")
        print(made.otpauth_uri)

    code = with_database(action)
    if outcome:
        print(f"error: {outcome[0]}", file=sys.stderr)
        return 2
    return code



