"""The official accounts' daily profile fetch (issue 17): the analytics divide engagement by
followers, so each account's profile is fetched once a WIB day by the ingestion, never per
page view. Pure: whether today's fetch is still owed, given what today's row says."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ATTEMPTS = 3  # failed fetches of one account a day; then its followers wait a day


@dataclass(frozen=True)
class ProfileDay:
    """An account's `account_profile` row of one WIB day."""

    handle: str
    followers: int | None
    attempts: int
    error_class: str | None  # the last attempt's; None when it worked


def profile_due(today: ProfileDay | None, handle: str) -> bool:
    """Owed when nothing was fetched today, the account changed its handle since, or every
    attempt so far failed and fewer than MAX_ATTEMPTS were made."""
    if today is None or today.handle != handle:
        return True
    return today.error_class is not None and today.attempts < MAX_ATTEMPTS
