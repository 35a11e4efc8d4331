"""Authorization: one table (role × menu → scope) and the check every menu goes through.

menus.md §1.3. A (role, menu) pair missing from TABLE is denied (default deny). A sender with
several roles gets the union of their reaches. No function here returns data; menus ask
`reach(...)` which clients and which staff record they may touch, and show nothing else.
"""

from dataclasses import dataclass
from enum import StrEnum

from cicero.domain.people.roles import Identity, Role


class Menu(StrEnum):
    OPRREQUEST = "oprrequest"
    DIRREQUEST = "dirrequest"
    DASHREQUEST = "dashrequest"
    CLIENTREQUEST = "clientrequest"
    ADMIN_COMMAND = "admin_command"  # `cmd#args`
    WABOT = "wabot"
    SELF_SERVICE = "userrequest"
    NOTIFWA = "notifwa"
    COMPLAINT = "complaint"  # complaint pasted in a DM
    BULK_DEACTIVATION = "bulk_deactivation"


class Scope(StrEnum):
    ALL = "all"  # every client
    OWN_CLIENTS = "own_clients"  # clients whose operator_wa / super_wa is the number
    DIRECTORATE = "directorate"  # the directorate(s), their satkers, extra ids
    DITBINMAS = "ditbinmas"  # DIRECTORATE, but only for a ditbinmas account
    OWN_RECORD = "own_record"  # the staff row bound to the number (or being bound)


_SELF = {r: Scope.OWN_RECORD for r in Role}

TABLE: dict[tuple[Role, Menu], Scope] = {
    (Role.ADMIN, Menu.OPRREQUEST): Scope.ALL,
    (Role.SUPER_ADMIN, Menu.OPRREQUEST): Scope.OWN_CLIENTS,
    (Role.OPERATOR, Menu.OPRREQUEST): Scope.OWN_CLIENTS,
    (Role.ADMIN, Menu.DIRREQUEST): Scope.ALL,
    (Role.DIRECTORATE, Menu.DIRREQUEST): Scope.DIRECTORATE,
    (Role.ADMIN, Menu.DASHREQUEST): Scope.ALL,
    (Role.DIRECTORATE, Menu.DASHREQUEST): Scope.DIRECTORATE,
    (Role.ADMIN, Menu.CLIENTREQUEST): Scope.ALL,
    (Role.ADMIN, Menu.ADMIN_COMMAND): Scope.ALL,
    (Role.ADMIN, Menu.WABOT): Scope.ALL,
    (Role.DIRECTORATE, Menu.WABOT): Scope.DITBINMAS,
    (Role.ADMIN, Menu.COMPLAINT): Scope.ALL,
    (Role.SUPER_ADMIN, Menu.COMPLAINT): Scope.OWN_CLIENTS,
    (Role.OPERATOR, Menu.COMPLAINT): Scope.OWN_CLIENTS,
    (Role.ADMIN, Menu.BULK_DEACTIVATION): Scope.ALL,
    (Role.SUPER_ADMIN, Menu.BULK_DEACTIVATION): Scope.OWN_CLIENTS,
    (Role.OPERATOR, Menu.BULK_DEACTIVATION): Scope.OWN_CLIENTS,
    # Everybody may look after their own record; an unknown number may only bind by NRP.
    **{(r, Menu.SELF_SERVICE): s for r, s in _SELF.items()},
    **{(r, Menu.NOTIFWA): s for r, s in _SELF.items()},
}


@dataclass(frozen=True)
class Reach:
    """What one sender may touch inside one menu."""

    all_clients: bool = False
    clients: frozenset[str] = frozenset()
    own_nrp: str | None = None  # the bound record; None = may only bind by NRP

    def covers_client(self, client_id: str | None) -> bool:
        return client_id is not None and (self.all_clients or client_id in self.clients)

    def covers_staff(self, nrp: str, client_id: str | None) -> bool:
        """A staff record is visible through its client, or as the sender's own record."""
        return nrp == self.own_nrp or self.covers_client(client_id)


def _scope_clients(identity: Identity, scope: Scope) -> Reach:
    match scope:
        case Scope.ALL:
            return Reach(all_clients=True)
        case Scope.OWN_CLIENTS:
            return Reach(clients=identity.org_clients)
        case Scope.DIRECTORATE:
            return Reach(clients=identity.directorate_clients)
        case Scope.DITBINMAS:
            ok = "ditbinmas" in identity.directorates
            return Reach(clients=identity.directorate_clients if ok else frozenset())
        case Scope.OWN_RECORD:
            return Reach(own_nrp=identity.staff_nrp)
    raise AssertionError(scope)  # pragma: no cover - Enum exhausted


def reach(identity: Identity, menu: Menu) -> Reach | None:
    """The union of the sender's roles' reaches in `menu`; None = denied."""
    found = [TABLE[r, menu] for r in identity.roles if (r, menu) in TABLE]
    if not found:
        return None
    parts = [_scope_clients(identity, s) for s in found]
    merged = Reach(
        all_clients=any(p.all_clients for p in parts),
        clients=frozenset().union(*(p.clients for p in parts)),
        own_nrp=next((p.own_nrp for p in parts if p.own_nrp), None),
    )
    own_record_only = all(s is Scope.OWN_RECORD for s in found)
    if not own_record_only and not merged.all_clients and not merged.clients:
        return None  # e.g. a ditlantas account asking for wabot: a role, but no data
    return merged


def may_open(identity: Identity, menu: Menu) -> bool:
    return reach(identity, menu) is not None
