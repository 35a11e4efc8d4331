"""`cicero import clients FILE` and `cicero import staff FILE --client ID [--yes]`.

Without `--yes`: the preview (new / changed / unchanged / errors with field diffs,
by spreadsheet row) and nothing written. With `--yes`: the good rows in one
transaction, then what was written and, row by row with the reason, what was left
out. Exit 0 when the file was read (row errors are listed, not fatal); 2, with nothing
written, when the file, its header or the client cannot be used or the database cannot
be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
EXIT_BAD_INPUT = EXIT_USAGE  # the README's rule: refused before doing anything exits 2


def add_import_parser(sub: Any) -> None:
    """The `import` command and its two actions, added to the main CLI's subparsers."""
    p = sub.add_parser("import", help="import clients or staff from .xlsx/.csv (docs/import.md)")
    actions = p.add_subparsers(dest="import_command", metavar="ACTION")
    c = actions.add_parser("clients", help="CLIENT_ID, NAMA, TIPE (+ INSTAGRAM, TIKTOK, GROUP, …)")
    c.add_argument("file", type=Path, help=".xlsx (first sheet) or UTF-8 .csv with a header row")
    c.add_argument("--yes", action="store_true", help="apply the good rows (default: preview)")
    c.set_defaults(func=command)
    s = actions.add_parser("staff", help="NRP, NAMA, PANGKAT, SATFUNG (+ JABATAN, INSTAGRAM, …)")
    s.add_argument("file", type=Path, help=".xlsx (first sheet) or UTF-8 .csv with a header row")
    s.add_argument("--client", required=True, help="the client the staff belong to, e.g. POLRES_A")
    s.add_argument("--yes", action="store_true", help="apply the good rows (default: preview)")
    s.set_defaults(func=command)
    p.set_defaults(func=lambda _args: (p.print_help(), EXIT_USAGE)[1])


def command(args: argparse.Namespace) -> int:
    from cicero.config import load_settings
    from cicero.db.connect import connect, resolve_database
    from cicero.db.embedded import DatabaseUnavailable
    from cicero.db.migrate import MigrationError, migrate

    settings = load_settings()
    try:
        url, _server = resolve_database(settings)  # the handle keeps an embedded server up

        async def go() -> int:
            conn = await connect(url)
            try:
                await migrate(conn)
                return await run_import(conn, args.import_command, args.file,
                                        getattr(args, "client", None), args.yes)  # fmt: skip
            finally:
                await conn.close()

        return asyncio.run(go())
    except (DatabaseUnavailable, MigrationError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE


async def run_import(
    conn: Any, kind: str, path: Path, client: str | None, apply: bool,
    out: TextIO = sys.stdout, now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:  # fmt: skip
    from cicero.domain.people.client_import import ClientPlan
    from cicero.domain.people.staff_import import Action, Plan, counts_line, describe_row
    from cicero.imports.clients import apply_clients, preview_clients
    from cicero.imports.read import FileUnreadable, read_sheet, sha256
    from cicero.imports.staff import UnknownClient, apply_staff, preview_staff

    def say(line: str = "") -> None:
        print(line, file=out)

    plan: Plan | ClientPlan
    try:
        sheet = read_sheet(path)
        if kind == "staff":
            client = (client or "").strip().upper()
            plan = await preview_staff(conn, sheet, client)
        else:
            plan = await preview_clients(conn, sheet)
    except (FileUnreadable, UnknownClient) as e:
        say(f"galat: {e}")
        return EXIT_BAD_INPUT
    what = f"personil {client}" if kind == "staff" else "client"
    if plan.file_errors:
        for issue in plan.file_errors:
            say(f"baris {issue.row:>5}  ditolak    {issue.message}")
        say(f"{path.name}: {what} tidak diimpor; perbaiki file lalu coba lagi.")
        return EXIT_BAD_INPUT

    def label(r: object) -> str | None:
        return getattr(r, "nrp", None) or getattr(r, "client_id", None)

    if not apply or not plan.to_write:
        for r in plan.rows:
            say(describe_row(r, label(r)))
        say(f"{path.name}: {what}: {counts_line(plan)}")
        say("pratinjau saja: belum ada yang disimpan. Jalankan lagi dengan --yes untuk "
            "menyimpan baris yang benar." if apply is False else "tidak ada yang perlu disimpan.")  # fmt: skip
        return EXIT_OK
    try:
        if kind == "staff":
            plan, import_id = await apply_staff(
                conn, sheet, client or "", file_name=path.name, file_sha256=sha256(path),
                sender="cli", now=now(),
            )  # fmt: skip
            where = f" (staff_import {import_id})"
        else:
            plan, where = await apply_clients(conn, sheet, now()), ""
    except ValueError as e:  # the file's header went bad between preview and apply
        say(f"galat: {path.name}: {e}")
        return EXIT_BAD_INPUT
    # What the transaction did, from its own plan (the preview could be older).
    left_out = [r for r in plan.rows if r.action is Action.ERROR]
    for r in plan.rows:
        if r.action is not Action.ERROR:
            say(describe_row(r, label(r)))
    say(f"{path.name}: {what}: {counts_line(plan)}")
    say(f"disimpan: {len(plan.to_write)} baris{where}.")
    if left_out:
        say(f"tidak disimpan: {len(left_out)} baris (perbaiki lalu impor file itu lagi):")
        for r in left_out:
            say(describe_row(r, label(r)))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:  # for `python -m cicero.imports.cli`
    parser = argparse.ArgumentParser(prog="cicero")
    add_import_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)
