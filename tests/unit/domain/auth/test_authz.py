"""The authorization matrix: every role × every menu × own and another client's data."""

import pytest

from cicero.domain.auth.authz import Menu, may_open, reach
from cicero.domain.people.roles import ClientRow, DirectorateAccount, Facts, Identity, Role, resolve

ME = "6281234500011"
OWN, OTHER = "SUKAMAJU", "LAINNYA"
OWN_NRP, OTHER_NRP = "89050123", "77770000"


def identity(role: Role, directorate: str = "ditlantas") -> Identity:
    facts = {
        Role.ADMIN: Facts(phone=ME, admin_numbers=frozenset({ME})),
        Role.OPERATOR: Facts(phone=ME, clients=(ClientRow(OWN, operator_wa=ME),)),
        Role.SUPER_ADMIN: Facts(phone=ME, clients=(ClientRow(OWN, super_wa=(ME,)),)),
        Role.DIRECTORATE: Facts(
            phone=ME, directorate_accounts=(DirectorateAccount(directorate, satker_ids=(OWN,)),)
        ),
        Role.STAFF: Facts(phone=ME, staff_nrp=OWN_NRP, staff_active=True),
        Role.UNKNOWN: Facts(phone=ME),
    }[role]
    ident = resolve(facts)
    assert ident.roles == {role}
    return ident


# Written from menus.md §1.3 by hand, independently of authz.TABLE:
# (role, menu) -> (sees own client's data, sees another client's data); absent = denied.
AD, OP, DI, SA = Role.ADMIN, Role.OPERATOR, Role.DIRECTORATE, Role.SUPER_ADMIN
EXPECTED: dict[tuple[Role, Menu], tuple[bool, bool]] = {
    (AD, Menu.OPRREQUEST): (True, True),
    (SA, Menu.OPRREQUEST): (True, False),
    (OP, Menu.OPRREQUEST): (True, False),
    (AD, Menu.DIRREQUEST): (True, True),
    (DI, Menu.DIRREQUEST): (True, False),
    (AD, Menu.DASHREQUEST): (True, True),
    (DI, Menu.DASHREQUEST): (True, False),
    (AD, Menu.CLIENTREQUEST): (True, True),
    (AD, Menu.ADMIN_COMMAND): (True, True),
    (AD, Menu.WABOT): (True, True),
    (AD, Menu.COMPLAINT): (True, True),
    (SA, Menu.COMPLAINT): (True, False),
    (OP, Menu.COMPLAINT): (True, False),
    (AD, Menu.BULK_DEACTIVATION): (True, True),
    (SA, Menu.BULK_DEACTIVATION): (True, False),
    (OP, Menu.BULK_DEACTIVATION): (True, False),
    **{(r, Menu.SELF_SERVICE): (False, False) for r in Role},
    **{(r, Menu.NOTIFWA): (False, False) for r in Role},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("menu", list(Menu))
def test_matrix(role, menu):
    ident = identity(role)
    r = reach(ident, menu)
    if (role, menu) not in EXPECTED:
        assert r is None
        assert not may_open(ident, menu)
        return
    own, other = EXPECTED[role, menu]
    assert r is not None
    assert r.covers_client(OWN) is own
    assert r.covers_client(OTHER) is other
    # Staff data travels with its client; another client's staff never leaks.
    assert r.covers_staff(OTHER_NRP, OTHER) is other
    assert r.covers_client(None) is False


@pytest.mark.parametrize("role", list(Role))
def test_self_service_reaches_only_own_record(role):
    ident = identity(role)
    r = reach(ident, Menu.SELF_SERVICE)
    assert r is not None
    assert r.covers_staff(OTHER_NRP, OTHER) is False
    assert r.covers_staff(OWN_NRP, None) is (role is Role.STAFF)


def test_unknown_number_gets_no_data_anywhere():
    ident = identity(Role.UNKNOWN)
    for menu in Menu:
        r = reach(ident, menu)
        assert r is None or (not r.all_clients and not r.clients and r.own_nrp is None)


def test_wabot_is_ditbinmas_only_among_directorates():
    assert may_open(identity(Role.DIRECTORATE, "ditbinmas"), Menu.WABOT)
    assert not may_open(identity(Role.DIRECTORATE, "ditlantas"), Menu.WABOT)


def test_roles_union():
    ident = resolve(
        Facts(
            phone=ME,
            clients=(ClientRow(OWN, operator_wa=ME),),
            directorate_accounts=(DirectorateAccount("ditlantas"),),
        )
    )
    assert reach(ident, Menu.OPRREQUEST).clients == {OWN}
    assert reach(ident, Menu.DIRREQUEST).clients == {"DITLANTAS"}
