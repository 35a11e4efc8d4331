"""The dashboard's navigation, one table: each entry names the identities that see it, so a
new page is one line here and one route in cicero.web.routes (who may open it is still the
route's own declaration; this only decides what the menu shows)."""

from __future__ import annotations

from dataclasses import dataclass

from cicero.domain.auth.access import Who

READERS = frozenset({Who.OPERATOR, Who.DIRECTORATE, Who.ADMIN})


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    who: frozenset[Who]


NAV: tuple[NavItem, ...] = (
    NavItem("/", "Beranda", READERS),
    NavItem("/absensi/instagram", "Absensi Instagram", READERS),
    NavItem("/absensi/tiktok", "Absensi TikTok", READERS),
    NavItem("/analitik/instagram", "Analitik Instagram", READERS),
    NavItem("/analitik/tiktok", "Analitik TikTok", READERS),
    NavItem("/amplifikasi", "Amplifikasi", READERS),
    NavItem("/personil", "Personil", READERS),
    NavItem("/status", "Status", frozenset({Who.OPS, Who.ADMIN})),
    NavItem("/admin/pengguna", "Pengguna", frozenset({Who.ADMIN})),
    NavItem("/admin/audit", "Log audit", frozenset({Who.ADMIN})),
    NavItem("/akun", "Akun", frozenset({Who.OPERATOR, Who.DIRECTORATE, Who.OPS, Who.ADMIN})),
)


def items_for(who: Who) -> list[NavItem]:
    return [item for item in NAV if who in item.who]


def home_for(who: Who) -> str:
    """Where a signed-in account lands: ops have only the status page."""
    return "/status" if who is Who.OPS else "/"
