"""Cicero's one time zone. Every instant is aware; a "day" is always a WIB day."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


class NaiveDatetime(ValueError):
    """A datetime without tzinfo reached code that needs an instant."""


def to_wib(t: datetime) -> datetime:
    """The same instant expressed in Asia/Jakarta. Naive datetimes are refused, never guessed."""
    if t.tzinfo is None:
        raise NaiveDatetime(f"naive datetime {t.isoformat()} where an aware one is required")
    return t.astimezone(WIB)


def wib_date(t: datetime) -> date:
    """The WIB calendar day of an instant (SQL: `(t AT TIME ZONE 'Asia/Jakarta')::date`)."""
    return to_wib(t).date()
