"""Who may call a web route, and on what (api.md §1 "Scope", STYLE §6).

Every route declares an `Access`: the identities it admits and the scope of what the request
names. `authorize` is the one question asked before any handler runs (and again by a handler
for what only the body names, e.g. A6's `user_id`). Default deny: an identity not listed is
refused; a route admitting `ANONYMOUS` admits everyone and names nothing to check.

Identities and scopes are the dashboard's too (issue 16): operators and directorates get their
client ids from the menus' resolver (`people.roles.resolve` → `principal_for`), admins all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cicero.domain.people.roles import Identity as Sender


class Who(StrEnum):
    """The kinds of caller (api.md §1's table)."""

    ANONYMOUS = "anonymous"  # no credential (or one that failed: the route decides)
    STAFF = "staff"  # the app: `Authorization: Bearer cst_…`
    OPERATOR = "operator"  # dashboard cookie, a satker's operator
    DIRECTORATE = "directorate"  # dashboard cookie, a directorate role
    OPS = "ops"  # dashboard cookie, /status only
    ADMIN = "admin"  # dashboard cookie + TOTP
    SCRAPER = "scraper"  # CICERO_METRICS_TOKEN or an allowed network


class Scope(StrEnum):
    NONE = "none"  # the request names no person or client (login, health, metrics)
    SELF = "self"  # it names a person (`user_id`): only the caller
    CLIENT = "client"  # it names a client (`client_id`, any case): one in the caller's scope


class Denial(StrEnum):
    """Why a request is refused; the values are the error codes of api.md §5."""

    UNAUTHENTICATED = "unauthenticated"  # 401: missing, expired, revoked alike
    FORBIDDEN = "forbidden"  # 403: this identity may not call the route
    OUT_OF_SCOPE = "out_of_scope"  # 403: a client outside the caller's scope
    NOT_SELF = "not_self"  # 403: somebody else's record


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    who: Who
    subject: str = ""  # staff: NRP; dashboard: account id
    client_id: str | None = None  # staff: their own client
    roles: frozenset[str] = frozenset()  # staff roles (operator, ditbinmas, …)
    clients: frozenset[str] = frozenset()  # client ids in scope (upper case)
    all_clients: bool = False  # admin
    family: bytes | None = field(default=None, repr=False)  # the token family (logout)

    def covers_client(self, client_id: str) -> bool:
        return self.all_clients or client_id.upper() in self.clients


ANONYMOUS = Principal(Who.ANONYMOUS)


@dataclass(frozen=True)
class Access:
    identities: frozenset[Who]
    scope: Scope = Scope.NONE

    def __post_init__(self) -> None:
        if not self.identities:
            raise ValueError("a route must declare at least one identity (default deny)")
        if Who.ANONYMOUS in self.identities and self.scope is not Scope.NONE:
            raise ValueError("a route open to anyone cannot check a scope")

    @property
    def public(self) -> bool:
        return Who.ANONYMOUS in self.identities


def access(*identities: Who, scope: Scope = Scope.NONE) -> Access:
    return Access(frozenset(identities), scope)


@dataclass(frozen=True)
class Target:
    """What one request names (path, query or body), as the caller wrote it."""

    user_id: str | None = None
    client_id: str | None = None


def authorize(principal: Principal, rule: Access, target: Target = Target()) -> Denial | None:
    """None when `principal` may do what the request asks; else why not."""
    if rule.public:
        return None
    if principal.who not in rule.identities:
        return Denial.UNAUTHENTICATED if principal.who is Who.ANONYMOUS else Denial.FORBIDDEN
    named_user, named_client = target.user_id, target.client_id
    if rule.scope is Scope.SELF and named_user is not None and named_user != principal.subject:
        return Denial.NOT_SELF
    if (
        rule.scope is Scope.CLIENT
        and named_client is not None
        and not principal.covers_client(named_client)
    ):
        return Denial.OUT_OF_SCOPE
    return None


def staff_principal(nrp: str, client_id: str, roles: frozenset[str], family: bytes) -> Principal:
    return Principal(
        Who.STAFF,
        subject=nrp,
        client_id=client_id,
        roles=roles,
        clients=frozenset({client_id.upper()}),
        family=family,
    )


def principal_for(sender: Sender, who: Who, subject: str) -> Principal:
    """A dashboard caller's scope from the menus' resolver (admin all; operator its satkers;
    directorate itself, its satkers and extra ids)."""
    match who:
        case Who.ADMIN:
            return Principal(who, subject, all_clients=True)
        case Who.OPERATOR:
            return Principal(who, subject, clients=sender.org_clients)
        case Who.DIRECTORATE:
            return Principal(who, subject, clients=sender.directorate_clients)
        case _:
            return Principal(who, subject)
