"""The input of a directorate recap (jobs.md §3.4-3.5) and its per-platform words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cicero.domain.attendance.rule import FULL, Attendance, Ratio
from cicero.domain.layouts.blocks import Grouping
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform


@dataclass(frozen=True)
class DirectorateRecap:
    """`people` are the directorate's counted staff (data.md §4.3) with their attendance."""

    directorate: str  # client id of the directorate, e.g. DITBINMAS: its own staff come first
    name: str  # `{NAMA}` as printed
    platform: Platform
    at: datetime
    posts: tuple[PostRef, ...]
    people: tuple[Attendance, ...]
    client_names: Mapping[str, str] = field(default_factory=dict)  # satker label by client id
    grouping: Grouping = Grouping.CLIENT  # what `{DIVISI}` is in the full recap
    done_ratio: Ratio = FULL

    @property
    def is_instagram(self) -> bool:
        return Platform(self.platform) is Platform.INSTAGRAM
