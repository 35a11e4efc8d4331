"""The one authorization question of the web routes: identities, self, client scope."""

from __future__ import annotations

import pytest

from cicero.domain.auth.access import (
    ANONYMOUS,
    Access,
    Denial,
    Principal,
    Scope,
    Target,
    Who,
    access,
    authorize,
    principal_for,
    staff_principal,
)
from cicero.domain.people.roles import ClientRow, DirectorateAccount, Facts, resolve

BUDI = staff_principal("75020001", "POLRES_A", frozenset({"operator"}), b"f" * 16)


def test_a_route_must_declare_an_identity_and_anonymous_routes_check_no_scope() -> None:
    with pytest.raises(ValueError):
        Access(frozenset())
    with pytest.raises(ValueError):
        access(Who.ANONYMOUS, scope=Scope.CLIENT)


def test_identities_default_deny() -> None:
    staff_only = access(Who.STAFF)
    assert authorize(ANONYMOUS, staff_only) is Denial.UNAUTHENTICATED
    assert authorize(Principal(Who.SCRAPER), staff_only) is Denial.FORBIDDEN
    assert authorize(Principal(Who.ADMIN, all_clients=True), staff_only) is Denial.FORBIDDEN
    assert authorize(BUDI, staff_only) is None
    assert authorize(ANONYMOUS, access(Who.ANONYMOUS)) is None


def test_self_scope_allows_only_the_callers_own_record() -> None:
    rule = access(Who.STAFF, scope=Scope.SELF)
    assert authorize(BUDI, rule, Target(user_id="75020001")) is None
    assert authorize(BUDI, rule, Target(user_id="75020002")) is Denial.NOT_SELF
    assert authorize(BUDI, rule, Target()) is None  # nothing named: the caller's own


def test_client_scope_any_case() -> None:
    rule = access(Who.STAFF, scope=Scope.CLIENT)
    assert authorize(BUDI, rule, Target(client_id="polres_a")) is None
    assert authorize(BUDI, rule, Target(client_id="POLRES_B")) is Denial.OUT_OF_SCOPE


def test_dashboard_principals_take_their_scope_from_the_menus_resolver() -> None:
    sender = resolve(
        Facts(
            "6281200000001",
            admin_numbers=frozenset({"6281100000001"}),
            clients=(ClientRow("POLRES_A", operator_wa="6281200000001"),),
            directorate_accounts=(DirectorateAccount("ditbinmas", ("POLRES_B",)),),
        )
    )
    rule = access(Who.OPERATOR, Who.DIRECTORATE, Who.ADMIN, scope=Scope.CLIENT)
    operator = principal_for(sender, Who.OPERATOR, "op-1")
    assert authorize(operator, rule, Target(client_id="POLRES_A")) is None
    assert authorize(operator, rule, Target(client_id="POLRES_B")) is Denial.OUT_OF_SCOPE
    directorate = principal_for(sender, Who.DIRECTORATE, "dir-1")
    assert authorize(directorate, rule, Target(client_id="POLRES_B")) is None
    assert authorize(directorate, rule, Target(client_id="DITBINMAS")) is None
    admin = principal_for(sender, Who.ADMIN, "adm-1")
    assert authorize(admin, rule, Target(client_id="ANY_CLIENT")) is None
