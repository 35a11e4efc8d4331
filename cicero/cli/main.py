"""The `cicero` command. Every subcommand prints one clear line per problem and
exits non-zero on failure; tracebacks are for bugs only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from cicero import __version__
from cicero.cli.database import with_database
from cicero.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    import asyncpg

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _settings() -> Settings:
    return load_settings()


def cmd_config_check(args: argparse.Namespace) -> int:
    settings = _settings()
    specs = settings.config.job_specs()
    print(
        f"{settings.env.config_path}: ok ({len(specs)} jobs, {len(settings.config.sessions)} sessions, "
        f"{len(settings.config.directorates)} directorates)"
    )
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    from cicero import logs

    logs.setup(settings.env.log_format, settings.env.log_level)
    from cicero.launcher import run

    return run(settings)


def cmd_migrate(args: argparse.Namespace) -> int:
    from cicero.db.migrate import migrate

    async def action(conn: asyncpg.Connection) -> None:
        applied = await migrate(conn)
        if applied:
            for m in applied:
                print(f"applied {m.version:04d}_{m.name}")
        else:
            print("database is up to date")

    return with_database(action)


def cmd_db_status(args: argparse.Namespace) -> int:
    from cicero.db.migrate import known_migrations, status

    async def action(conn: asyncpg.Connection) -> None:
        current = await status(conn)
        names = {m.version: m.name for m in known_migrations()}
        for version in current.applied:
            print(f"applied  {version:04d}_{names.get(version, '?')}")
        for m in current.pending:
            print(f"pending  {m.version:04d}_{m.name}")
        for version in current.unknown:
            print(f"UNKNOWN  {version:04d} (applied by a newer Cicero)")

    return with_database(action)


def _parse_when(text: str) -> datetime:
    from cicero.domain.timezone import WIB

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or datetime (e.g. 2026-11-25T06:00)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=WIB)


class _ScheduleRow(TypedDict):
    key: str
    name: str
    bucket: str
    crons: list[str]
    enabled: bool
    implemented: bool
    grace_s: int
    next: list[str]


def cmd_schedule(args: argparse.Namespace) -> int:
    from cicero.domain.runtime.schedule import fire_times, next_fire_times
    from cicero.domain.timezone import WIB
    from cicero.jobs.registry import load_registry

    settings = _settings()
    implemented = load_registry().keys()
    now = datetime.now(WIB)
    rows: list[_ScheduleRow] = []
    for spec in settings.config.job_specs():
        if args.since or args.until:
            start = args.since or now
            end = args.until or start.replace(hour=23, minute=59)
            times = fire_times(spec, start - _tiny(), end)
        else:
            times = next_fire_times(spec, now, 3)
        rows.append(
            {
                "key": spec.key,
                "name": spec.name,
                "bucket": spec.bucket,
                "crons": list(spec.crons) if spec.crons else [f"after {spec.after}"],
                "enabled": spec.enabled,
                "implemented": spec.key in implemented,
                "grace_s": int(spec.grace.total_seconds()),
                "next": [t.astimezone(WIB).isoformat() for t in times],
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    header = ("KEY", "NAME", "BUCKET", "CRON (WIB)", "ENABLED", "IMPLEMENTED", "FIRE TIMES (WIB)")
    table = [header]
    for r in rows:
        shown = (
            ", ".join(datetime.fromisoformat(t).strftime("%d/%m %H:%M") for t in r["next"]) or "-"
        )
        table.append(
            (
                r["key"],
                r["name"],
                r["bucket"],
                " | ".join(r["crons"]),
                "yes" if r["enabled"] else "no",
                "yes" if r["implemented"] else "not implemented",
                shown,
            )
        )
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header) - 1)]
    for row in table:
        print(
            "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False))
            + "  "
            + str(row[-1])
        )
    return EXIT_OK


def _tiny() -> timedelta:
    return timedelta(seconds=1)  # include a fire time exactly at --from


def cmd_simulate(args: argparse.Namespace) -> int:
    import tempfile

    from cicero import bootstrap, logs
    from cicero.actors.messages import ChildSpecError
    from cicero.config.load import load_settings
    from cicero.db.embedded import DatabaseUnavailable
    from cicero.server_secret import SecretError
    from cicero.sim.driver import SUPPORTED_KINDS, SimulationError, run
    from cicero.sim.parse import load_scenario
    from cicero.sim.scenario import ScenarioError

    try:
        scenario = load_scenario(args.scenario, SUPPORTED_KINDS)
    except ScenarioError as err:
        for line in err.problems:
            print(
                f"scenario error: {err.source}: {line}"
                if err.source
                else f"scenario error: {line}",
                file=sys.stderr,
            )
        return EXIT_USAGE
    settings = load_settings(overrides=scenario.settings_overrides)
    choice = bootstrap.choose(settings, bootstrap.Mode.SIMULATE, database_url=args.db)
    try:  # before anything starts: adapters that cannot simulate are refused in one line
        bootstrap.check(choice)
    except bootstrap.Refused as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    try:  # a transcript that cannot be written is bad input: say so before anything runs
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.is_dir():
            raise IsADirectoryError(21, "is a directory")
        with out.open("a"):
            pass
    except OSError as err:
        print(f"error: --out {out}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    # Quiet unless asked (CICERO_LOG_LEVEL=info or debug): the transcript is the output. The
    # actors take their level from the settings, the driver from this setup.
    if not os.environ.get("CICERO_LOG_LEVEL", "").strip():
        settings = replace(settings, env=replace(settings.env, log_level="WARNING"))
    logs.setup(settings.env.log_format, settings.env.log_level)
    with tempfile.TemporaryDirectory(prefix="cicero-sim-") as tmp:
        settings = _with_data_dir(settings, Path(tmp))
        db = None
        try:
            db = bootstrap.database(settings, choice, url=args.db)
            run(scenario, settings, db.url, out)
        except DatabaseUnavailable as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE
        except SimulationError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_FAIL
        except (bootstrap.Refused, ChildSpecError, SecretError) as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE
        finally:
            if db is not None:
                db.close()  # a scratch server's files go with the temporary directory
    print(
        f"{args.out}: transcript of {scenario.name!r} from {scenario.start.isoformat()} to {scenario.end.isoformat()}"
    )
    return EXIT_OK


def _with_data_dir(settings: Settings, data_dir: Path) -> Settings:
    from dataclasses import replace

    return replace(settings, env=replace(settings.env, data_dir=data_dir))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cicero",
        description="Social-media attendance monitoring with WhatsApp recaps.",
    )
    parser.add_argument("--version", action="version", version=f"cicero {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "run", help="start the service (embedded defaults when nothing is configured)"
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("migrate", help="apply pending database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("config", help="configuration commands")
    config_sub = p.add_subparsers(dest="config_command", metavar="ACTION")
    check = config_sub.add_parser("check", help="validate config/cicero.toml and the environment")
    check.set_defaults(func=cmd_config_check)

    p = sub.add_parser(
        "schedule", help="print the effective job schedule with next fire times (WIB)"
    )
    p.add_argument("--json", action="store_true", help="print a JSON list for tools")
    p.add_argument(
        "--from", dest="since", type=_parse_when, help="list fire times from this time (WIB)"
    )
    p.add_argument("--until", type=_parse_when, help="list fire times until this time (WIB)")
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser(
        "simulate", help="replay a scenario on a virtual clock and write its transcript"
    )
    p.add_argument("scenario", help="scenario file (TOML, see docs/scenarios.md)")
    p.add_argument("--out", required=True, help="transcript file to write (JSON lines)")
    p.add_argument("--db", help="PostgreSQL URL to use instead of a fresh embedded database")
    p.add_argument(
        "--speed", choices=["max"], default="max", help="how fast virtual time runs (max)"
    )
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("db", help="database commands")
    db_sub = p.add_subparsers(dest="db_command", metavar="ACTION")
    st = db_sub.add_parser("status", help="show applied and pending migrations")
    st.set_defaults(func=cmd_db_status)

    from cicero.cli.backup_cmds import add_parsers as add_backup_parsers

    add_backup_parsers(sub)  # backup, restore

    from cicero.imports.cli import add_import_parser

    add_import_parser(sub)  # import clients | staff

    from cicero.cli.pair import add_parser as add_pair_parser

    add_pair_parser(sub)

    from cicero.cli.admin import add_parser as add_admin_parser

    add_admin_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return func(args)
    except ConfigError as err:
        for line in err.problems:
            print(f"config error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cicero schedule | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
