"""The attendance rule (data.md §4.2-4.4, jobs.md §4): who did how many of the counted posts.

Everything here works on plain values the database side has already selected: the people to
count (§4.3), the post set P in its order (§4.1) and the engagement pairs with canonical
usernames. Ordering and rendering live elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from cicero.domain.people.usernames import Platform

PostId = Hashable
Ratio = Fraction | int | float | str

FULL = Fraction(1)


class Status(StrEnum):
    """The names of data.md §4 and of the `recap` transcript line."""

    SUDAH = "sudah"
    KURANG = "kurang"
    BELUM = "belum"
    TANPA_USERNAME = "tanpa_username"
    NO_POSTS = "no_posts"


def exact_ratio(r: Ratio) -> Fraction:
    """`r` as an exact fraction in [0, 1]; a float goes through its shortest repr, so 0.95 is 19/20."""
    value = Fraction(repr(r)) if isinstance(r, float) else Fraction(r)
    if not 0 <= value <= 1:
        raise ValueError(f"done_ratio must lie in [0, 1], got {r!r}")
    return value


def required(n: int, done_ratio: Ratio = FULL) -> int:
    """Posts needed for `sudah`: max(1, ceil(N·r)), computed without floats."""
    if n < 0:
        raise ValueError(f"post count must be >= 0, got {n}")
    return max(1, math.ceil(n * exact_ratio(done_ratio)))


def status(
    count: int, n: int, has_handle: bool, exception: bool, done_ratio: Ratio = FULL
) -> Status:
    """jobs.md §4: the first rule that matches wins."""
    if not has_handle:
        return Status.TANPA_USERNAME
    if exception:
        return Status.SUDAH
    if n == 0:
        return Status.NO_POSTS
    if count >= required(n, done_ratio):
        return Status.SUDAH
    if count >= 1:
        return Status.KURANG
    return Status.BELUM


class Person(NamedTuple):
    """A counted member of staff as the recaps need them (text fields as stored, uppercase).

    A named tuple, as `Attendance`: a directorate recap builds 20,000 of each, and a tuple is
    built ~2.5 times quicker than a frozen dataclass (which sets each field through
    object.__setattr__); a tuple of plain values is also dropped by the garbage collector
    from what it tracks, so it stops costing every later collection."""

    nrp: str
    client: str
    name: str
    rank: str
    unit: str
    position: str = ""
    instagram: str | None = None
    tiktok: str | None = None
    exception: bool = False

    def handle(self, platform: Platform | str) -> str | None:
        return self.instagram if Platform(platform) is Platform.INSTAGRAM else self.tiktok

    @property
    def pers(self) -> str:
        """`{PERS}` of jobs.md §3: rank + name."""
        return f"{self.rank} {self.name}".strip()


class Attendance(NamedTuple):
    """One person's result against one post set. `done_posts` keeps P's order; `earlier`
    counts posts done on days whose engagement was compacted (their ids are not kept)."""

    person: Person
    handle: str | None
    done_posts: tuple[PostId, ...]
    total: int
    status: Status
    earlier: int = 0

    @property
    def count(self) -> int:  # type: ignore[override]  # posts done, not tuple.count
        return len(self.done_posts) + self.earlier

    # Shortcuts so layouts and transcripts read naturally.
    @property
    def nrp(self) -> str:
        return self.person.nrp

    @property
    def client(self) -> str:
        return self.person.client

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def rank(self) -> str:
        return self.person.rank

    @property
    def unit(self) -> str:
        return self.person.unit

    @property
    def position(self) -> str:
        return self.person.position

    @property
    def exception(self) -> bool:
        return self.person.exception

    def transcript(self) -> dict[str, str | int]:
        """The entry of `people` in the scenario's `recap` line."""
        return {
            "nrp": self.nrp,
            "client": self.client,
            "status": str(self.status),
            "done": self.count,
            "total": self.total,
        }


def assess(
    person: Person,
    handle: str | None,
    done_posts: Sequence[PostId],
    total: int,
    done_ratio: Ratio = FULL,
) -> Attendance:
    """One person's `Attendance` from what they did; also used by amplification (links, not likes)."""
    handle = handle or None  # "" is no handle (V2 stored it so)
    done = tuple(done_posts) if handle else ()
    return Attendance(
        person=person,
        handle=handle,
        done_posts=done,
        total=total,
        status=status(len(done), total, handle is not None, person.exception, done_ratio),
    )


def compute(
    people: Iterable[Person],
    posts: Sequence[PostId],
    engagement: set[tuple[PostId, str]] | frozenset[tuple[PostId, str]],
    platform: Platform | str,
    done_ratio: Ratio = FULL,
) -> tuple[Attendance, ...]:
    """Attendance of each person (input order) for the post set `posts` on `platform`.

    `engagement` holds (post id, canonical username) pairs; pairs for posts outside `posts`
    are ignored, so the caller may pass a superset.
    """
    n = len(posts)
    results = []
    for p in people:
        handle = p.handle(platform)
        done = [post for post in posts if handle and (post, handle) in engagement]
        results.append(assess(p, handle, done, n, done_ratio))
    return tuple(results)


@dataclass(frozen=True)
class Summary:
    total: int = 0
    sudah: int = 0
    kurang: int = 0
    belum: int = 0
    tanpa_username: int = 0
    no_posts: int = 0

    @property
    def not_done(self) -> int:
        """data.md §4.2: "not done" = belum + tanpa_username."""
        return self.belum + self.tanpa_username

    @property
    def took_part(self) -> int:
        return self.sudah + self.kurang


def summarize(results: Iterable[Attendance]) -> Summary:
    counts = dict.fromkeys(Status, 0)
    for r in results:
        counts[r.status] += 1
    return Summary(
        total=sum(counts.values()),
        sudah=counts[Status.SUDAH],
        kurang=counts[Status.KURANG],
        belum=counts[Status.BELUM],
        tanpa_username=counts[Status.TANPA_USERNAME],
        no_posts=counts[Status.NO_POSTS],
    )
