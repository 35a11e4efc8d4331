"""Backup file names and rotation (data.md §6): 7 daily + 4 weekly, never the newest."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from cicero.domain.timezone import WIB, to_wib

_NAME = re.compile(r"^cicero-(\d{8}-\d{6})\.dump$")


def backup_name(at: datetime) -> str:
    """`cicero-YYYYMMDD-HHMMSS.dump`, the time in WIB."""
    return f"cicero-{to_wib(at):%Y%m%d-%H%M%S}.dump"


def stamp_of(name: str) -> datetime | None:
    match = _NAME.match(name)
    return datetime.strptime(match[1], "%Y%m%d-%H%M%S").replace(tzinfo=WIB) if match else None


def to_keep(stamps: Iterable[datetime], daily: int, weekly: int) -> set[datetime]:
    """The newest dump of each of the last `daily` days that have one, of each of the last
    `weekly` ISO weeks that have one, and the newest of all."""
    ordered = sorted(stamps, reverse=True)
    keep: set[datetime] = set(ordered[:1])
    days: dict[object, datetime] = {}
    weeks: dict[object, datetime] = {}
    for s in ordered:
        days.setdefault(s.date(), s)
        weeks.setdefault(s.isocalendar()[:2], s)
    keep |= set(list(days.values())[:daily])
    keep |= set(list(weeks.values())[:weekly])
    return keep
