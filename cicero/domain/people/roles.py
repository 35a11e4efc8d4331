"""Who is writing: the sender's roles and data scopes, resolved per message from plain facts.

The router loads the facts (config admin numbers, the client rows naming the number, the
directorate_user rows of the number, the staff row bound to it); this module only decides.
Several roles per number are normal: the entry keyword picks which one is used (see `authz`).
"""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"
    OPERATOR = "operator"
    DIRECTORATE = "directorate"
    STAFF = "staff"
    UNKNOWN = "unknown"


DIRECTORATE_ROLES = frozenset({"ditbinmas", "ditlantas", "bidhumas", "ditsamapta", "ditintelkam"})


@dataclass(frozen=True)
class ClientRow:
    """The part of a `client` row that decides who may see it."""

    client_id: str
    operator_wa: str | None = None
    super_wa: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class DirectorateAccount:
    """An active `directorate_user` row of this number, with the satkers its directorate covers."""

    role_name: str  # ditbinmas, ditlantas, ... (equals the directorate's client id, lowercased)
    satker_ids: tuple[str, ...] = ()  # from client_directorate
    extra_client_ids: tuple[str, ...] = ()
    active: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        if self.role_name not in DIRECTORATE_ROLES:
            raise ValueError(f"not a directorate role: {self.role_name!r}")


@dataclass(frozen=True)
class AccountReach:
    """One directorate account of the number and the client ids it covers (the dashboard
    menu lets a number with several accounts pick one, menus.md §3.3)."""

    role_name: str
    name: str
    clients: frozenset[str]

    @property
    def label(self) -> str:
        return self.name or self.role_name.upper()


@dataclass(frozen=True)
class Facts:
    """What the router loads for one sender; every field is a plain value."""

    phone: str | None  # sender, through phones.normalize_phone (None: unusable or LID unknown)
    admin_numbers: frozenset[str] = frozenset()
    clients: tuple[ClientRow, ...] = ()  # rows whose operator_wa or super_wa name this number
    directorate_accounts: tuple[DirectorateAccount, ...] = ()
    staff_nrp: str | None = None  # staff.whatsapp = phone
    staff_active: bool = False


@dataclass(frozen=True)
class Identity:
    """The resolved sender: roles plus the client ids each role reaches."""

    phone: str | None
    roles: frozenset[Role]
    operator_of: frozenset[str] = frozenset()  # client.operator_wa = phone
    super_admin_of: frozenset[str] = frozenset()  # phone in client.super_wa
    directorates: frozenset[str] = frozenset()  # directorate role names
    directorate_clients: frozenset[str] = frozenset()  # directorate + satkers + extras (upper ids)
    accounts: tuple[AccountReach, ...] = ()  # the same, per directorate account
    staff_nrp: str | None = None
    staff_active: bool = False

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def org_clients(self) -> frozenset[str]:
        """Clients this number runs as operator or super admin."""
        return self.operator_of | self.super_admin_of


UNKNOWN = Identity(phone=None, roles=frozenset({Role.UNKNOWN}))


def resolve(facts: Facts) -> Identity:
    """Every role the number holds; UNKNOWN only when it holds none."""
    phone = facts.phone
    if phone is None:
        return UNKNOWN
    roles: set[Role] = set()
    if phone in facts.admin_numbers:
        roles.add(Role.ADMIN)
    live = [c for c in facts.clients if c.active]
    operator_of = frozenset(c.client_id for c in live if c.operator_wa == phone)
    super_of = frozenset(c.client_id for c in live if phone in c.super_wa)
    if operator_of:
        roles.add(Role.OPERATOR)
    if super_of:
        roles.add(Role.SUPER_ADMIN)
    accounts = [a for a in facts.directorate_accounts if a.active]
    if accounts:
        roles.add(Role.DIRECTORATE)
    reaches = tuple(
        AccountReach(
            a.role_name,
            a.name,
            frozenset({a.role_name.upper(), *a.satker_ids, *a.extra_client_ids}),
        )
        for a in sorted(accounts, key=lambda a: a.role_name)
    )
    dir_clients = frozenset().union(*(r.clients for r in reaches))
    if facts.staff_nrp is not None:
        roles.add(Role.STAFF)
    if not roles:
        roles.add(Role.UNKNOWN)
    return Identity(
        phone=phone,
        roles=frozenset(roles),
        operator_of=operator_of,
        super_admin_of=super_of,
        directorates=frozenset(a.role_name for a in accounts),
        directorate_clients=dir_clients,
        accounts=reaches,
        staff_nrp=facts.staff_nrp,
        staff_active=facts.staff_active if facts.staff_nrp else False,
    )
