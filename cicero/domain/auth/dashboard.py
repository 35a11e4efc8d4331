"""Dashboard accounts (api.md §1): roles, the life of a registration, session limits, and the
scope of a signed-in account, resolved by the menus' resolver like a WhatsApp sender's.

Pure: the adapter loads an account (with the satkers its directorate links and which of its
clients are active) and asks here what it may do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cicero.domain.auth.access import Principal, Who, principal_for
from cicero.domain.people import roles as people
from cicero.domain.people.phones import JidError, normalize_phone

USERNAME = re.compile(r"[a-z0-9._]{3,32}", re.ASCII)
NAME_MAX = 100
LAPSE_AFTER = timedelta(days=7)  # a registration nobody decided on lapses
MAX_CLIENTS = 50


class Role(StrEnum):
    OPERATOR = "operator"
    DITBINMAS = "ditbinmas"
    DITLANTAS = "ditlantas"
    BIDHUMAS = "bidhumas"
    DITSAMAPTA = "ditsamapta"
    DITINTELKAM = "ditintelkam"
    OPS = "ops"
    ADMIN = "admin"

    @property
    def who(self) -> Who:
        if self is Role.ADMIN:
            return Who.ADMIN
        if self is Role.OPS:
            return Who.OPS
        if self is Role.OPERATOR:
            return Who.OPERATOR
        return Who.DIRECTORATE

    @property
    def label(self) -> str:
        return ROLE_LABEL[self]


ROLE_LABEL = {
    Role.OPERATOR: "Operator satker",
    Role.DITBINMAS: "Ditbinmas",
    Role.DITLANTAS: "Ditlantas",
    Role.BIDHUMAS: "Bidhumas",
    Role.DITSAMAPTA: "Ditsamapta",
    Role.DITINTELKAM: "Ditintelkam",
    Role.OPS: "Ops (halaman status)",
    Role.ADMIN: "Admin",
}
# Admins are made by `cicero admin add` only; nobody registers as one.
REGISTRABLE = tuple(r for r in Role if r is not Role.ADMIN)


class Status(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    LAPSED = "lapsed"
    DISABLED = "disabled"


STATUS_LABEL = {
    Status.PENDING: "Menunggu persetujuan",
    Status.ACTIVE: "Aktif",
    Status.REJECTED: "Ditolak",
    Status.LAPSED: "Kedaluwarsa",
    Status.DISABLED: "Dinonaktifkan",
}


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    lifetime: timedelta


def session_limits(role: Role) -> SessionLimits:
    """Idle 30 min, at most 12 h; admins 15 min and 8 h."""
    if role is Role.ADMIN:
        return SessionLimits(timedelta(minutes=15), timedelta(hours=8))
    return SessionLimits(timedelta(minutes=30), timedelta(hours=12))


def effective_status(status: Status, registered_at: datetime, now: datetime) -> Status:
    """A pending registration older than 7 days has lapsed, whether or not a sweep wrote it."""
    if status is Status.PENDING and now >= registered_at + LAPSE_AFTER:
        return Status.LAPSED
    return status


class DecisionRefused(ValueError):
    """An approval or rejection that cannot apply to the account as it is."""


def decide(status: Status, registered_at: datetime, now: datetime, approve: bool) -> Status:
    """The status after an admin's decision on a registration."""
    current = effective_status(status, registered_at, now)
    if current is not Status.PENDING:
        raise DecisionRefused(f"pendaftaran berstatus {STATUS_LABEL[current].lower()}")
    return Status.ACTIVE if approve else Status.REJECTED


@dataclass(frozen=True)
class Registration:
    username: str
    name: str
    whatsapp: str
    role: Role
    client_ids: tuple[str, ...]


def registration(
    fields: Mapping[str, object], known_clients: Mapping[str, str]
) -> Registration | dict[str, str]:
    """A valid registration, or the problem of each field (Indonesian). `known_clients`: id ->
    type (ORG / DIREKTORAT) of the active clients."""
    problems: dict[str, str] = {}
    username = str(fields.get("username", "")).strip().lower()
    if not USERNAME.fullmatch(username):
        problems["username"] = "3–32 karakter: huruf kecil, angka, titik atau garis bawah"
    name = " ".join(str(fields.get("name", "")).split())
    if not name:
        problems["name"] = "wajib diisi"
    elif len(name) > NAME_MAX:
        problems["name"] = f"maksimal {NAME_MAX} karakter"
    phone = ""
    try:
        phone = normalize_phone(str(fields.get("whatsapp", "")))
    except JidError:
        problems["whatsapp"] = "nomor WhatsApp tidak valid (contoh 0812xxxxxxxx)"
    try:
        role = Role(str(fields.get("role", "")))
        if role not in REGISTRABLE:
            raise ValueError
    except ValueError:
        role = Role.OPERATOR
        problems["role"] = "pilih peran yang tersedia"
    clients, client_problem = client_choice(fields.get("client_ids", ()), role, known_clients)
    if client_problem:
        problems["client_ids"] = client_problem
    if problems:
        return problems
    return Registration(username, name, phone, role, clients)


def client_choice(
    raw: object, role: Role, known_clients: Mapping[str, str]
) -> tuple[tuple[str, ...], str | None]:
    """The client ids asked for a role (upper case, unique, in order), or what is wrong.
    Operators name their satker(s); a directorate reaches itself and its satkers by its role,
    so ids are extras; ops and admins name none."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        return (), "daftar client tidak valid"
    ids: list[str] = []
    for item in raw:
        cid = str(item).strip().upper()
        if cid and cid not in ids:
            ids.append(cid)
    if len(ids) > MAX_CLIENTS:
        return (), f"maksimal {MAX_CLIENTS} client"
    unknown = [c for c in ids if c not in known_clients]
    if unknown:
        return (), f"client tidak dikenal: {', '.join(u[:40] for u in unknown[:3])}"
    if role is Role.OPERATOR:
        if not ids:
            return (), "pilih satker Anda"
        if any(known_clients[c] != "ORG" for c in ids):
            return (), "operator hanya untuk satker (polres)"
    if role in (Role.OPS, Role.ADMIN) and ids:
        return (), "peran ini tidak memakai client"
    return tuple(ids), None


@dataclass(frozen=True)
class Account:
    """What scope resolution needs of an account."""

    id: int
    role: Role
    client_ids: tuple[str, ...] = ()  # as approved
    active_clients: frozenset[str] = frozenset()  # those of client_ids still active
    satkers: tuple[str, ...] = ()  # directorate: client_directorate's satkers of it


def principal(account: Account, family: bytes | None = None) -> Principal:
    """The signed-in account as a request's caller: the menus' resolver decides its clients
    (operator: its satkers; directorate: itself, linked satkers, extra ids; admin: all)."""
    who = account.role.who
    subject = str(account.id)
    if who in (Who.OPERATOR, Who.DIRECTORATE):
        phone = f"dashboard:{account.id}"  # a sender the resolver sees, never a real number
        facts = people.Facts(phone=phone)
        if account.role is Role.OPERATOR:
            facts = people.Facts(
                phone=phone,
                clients=tuple(
                    people.ClientRow(c, operator_wa=phone, active=c in account.active_clients)
                    for c in account.client_ids
                ),
            )
        else:
            facts = people.Facts(
                phone=phone,
                directorate_accounts=(
                    people.DirectorateAccount(
                        account.role.value, account.satkers, account.client_ids
                    ),
                ),
            )
        found = principal_for(people.resolve(facts), who, subject)
    else:
        found = principal_for(people.UNKNOWN, who, subject)
    return Principal(
        found.who, found.subject, clients=found.clients, all_clients=found.all_clients,
        roles=frozenset({account.role.value}), family=family,
    )  # fmt: skip
