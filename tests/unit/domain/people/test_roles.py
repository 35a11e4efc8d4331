import pytest

from cicero.domain.people.roles import (
    ClientRow,
    DirectorateAccount,
    Facts,
    Role,
    resolve,
)

ME = "6281234500011"


@pytest.mark.parametrize(
    ("facts", "roles"),
    [
        (Facts(phone=ME), {Role.UNKNOWN}),
        (Facts(phone=None, admin_numbers=frozenset({ME})), {Role.UNKNOWN}),
        (Facts(phone=ME, admin_numbers=frozenset({ME})), {Role.ADMIN}),
        (Facts(phone=ME, clients=(ClientRow("A", operator_wa=ME),)), {Role.OPERATOR}),
        (Facts(phone=ME, clients=(ClientRow("A", super_wa=(ME,)),)), {Role.SUPER_ADMIN}),
        (Facts(phone=ME, clients=(ClientRow("A", operator_wa=ME, active=False),)), {Role.UNKNOWN}),
        (
            Facts(phone=ME, directorate_accounts=(DirectorateAccount("ditlantas"),)),
            {Role.DIRECTORATE},
        ),
        (
            Facts(phone=ME, directorate_accounts=(DirectorateAccount("ditlantas", active=False),)),
            {Role.UNKNOWN},
        ),
        (Facts(phone=ME, staff_nrp="89050123", staff_active=True), {Role.STAFF}),
        (
            Facts(
                phone=ME,
                admin_numbers=frozenset({ME}),
                clients=(ClientRow("A", operator_wa=ME),),
                staff_nrp="89050123",
            ),
            {Role.ADMIN, Role.OPERATOR, Role.STAFF},
        ),
    ],
)
def test_resolve_roles(facts, roles):
    assert resolve(facts).roles == roles


def test_resolve_scopes():
    ident = resolve(
        Facts(
            phone=ME,
            clients=(
                ClientRow("A", operator_wa=ME),
                ClientRow("B", super_wa=("62899", ME)),
                ClientRow("C", operator_wa="62811111111"),
            ),
            directorate_accounts=(
                DirectorateAccount("ditbinmas", satker_ids=("A", "D"), extra_client_ids=("E",)),
            ),
        )
    )
    assert ident.operator_of == {"A"}
    assert ident.super_admin_of == {"B"}
    assert ident.org_clients == {"A", "B"}
    assert ident.directorates == {"ditbinmas"}
    assert ident.directorate_clients == {"DITBINMAS", "A", "D", "E"}


def test_directorate_account_rejects_unknown_role():
    with pytest.raises(ValueError):
        DirectorateAccount("polda")


def test_staff_active_only_with_a_record():
    assert resolve(Facts(phone=ME, staff_active=True)).staff_active is False
