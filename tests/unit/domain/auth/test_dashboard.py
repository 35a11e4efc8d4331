"""Dashboard accounts' pure rules: scope through the menus' resolver, session limits, the
life of a registration, registration checks; CSRF tokens and origins; TOTP codes and seals."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from cicero.domain.auth import csrf, dashboard, totp
from cicero.domain.auth.access import Scope, Target, Who, access, authorize
from cicero.domain.auth.dashboard import Account, DecisionRefused, Role, Status

T = datetime(2026, 2, 6, 3, 0, tzinfo=UTC)
KNOWN = {"POLRES_A": "ORG", "POLRES_B": "ORG", "DITBINMAS": "DIREKTORAT"}
READ = access(Who.OPERATOR, Who.DIRECTORATE, Who.ADMIN, scope=Scope.CLIENT)


def test_scope_comes_from_the_menus_resolver() -> None:
    op = dashboard.principal(Account(1, Role.OPERATOR, ("POLRES_A",), frozenset({"POLRES_A"})))
    assert op.who is Who.OPERATOR and op.clients == {"POLRES_A"}
    assert authorize(op, READ, Target(client_id="polres_a")) is None
    assert authorize(op, READ, Target(client_id="POLRES_B")).value == "out_of_scope"  # type: ignore[union-attr]
    # An operator's satker that is no longer active leaves its scope.
    gone = dashboard.principal(Account(2, Role.OPERATOR, ("POLRES_A",), frozenset()))
    assert gone.clients == frozenset()
    d = dashboard.principal(Account(3, Role.DITBINMAS, ("POLRES_C",), frozenset(), ("POLRES_A",)))
    assert d.who is Who.DIRECTORATE and d.clients == {"DITBINMAS", "POLRES_A", "POLRES_C"}
    admin = dashboard.principal(Account(4, Role.ADMIN))
    assert admin.all_clients and authorize(admin, READ, Target(client_id="ANY")) is None
    ops = dashboard.principal(Account(5, Role.OPS))
    assert ops.who is Who.OPS and not ops.clients
    assert authorize(ops, READ).value == "forbidden"  # type: ignore[union-attr]


def test_session_limits_and_lapse() -> None:
    assert dashboard.session_limits(Role.ADMIN) == dashboard.SessionLimits(
        timedelta(minutes=15), timedelta(hours=8)
    )
    assert dashboard.session_limits(Role.OPS).idle == timedelta(minutes=30)
    at = T + timedelta(days=7)
    assert dashboard.effective_status(Status.PENDING, T, at - timedelta(microseconds=1)) is Status.PENDING
    assert dashboard.effective_status(Status.PENDING, T, at) is Status.LAPSED
    assert dashboard.decide(Status.PENDING, T, T, True) is Status.ACTIVE
    assert dashboard.decide(Status.PENDING, T, T, False) is Status.REJECTED
    for status, now in ((Status.ACTIVE, T), (Status.PENDING, at), (Status.REJECTED, T)):
        with pytest.raises(DecisionRefused):
            dashboard.decide(status, T, now, True)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "a b c"}, "username"),
        ({"name": " "}, "name"),
        ({"whatsapp": "12"}, "whatsapp"),
        ({"role": "admin"}, "role"),
        ({"client_ids": []}, "client_ids"),
        ({"client_ids": ["DITBINMAS"]}, "client_ids"),
        ({"client_ids": ["X"]}, "client_ids"),
        ({"role": "ops", "client_ids": ["POLRES_A"]}, "client_ids"),
    ],
)
def test_registration_refusals(fields: dict[str, object], problem: str) -> None:
    base = {"username": "op.a", "name": "Op", "whatsapp": "0812 3456 7890", "role": "operator",
            "client_ids": ["polres_a"]}  # fmt: skip
    found = dashboard.registration({**base, **fields}, KNOWN)
    assert isinstance(found, dict) and problem in found


def test_registration_canonical_form() -> None:
    found = dashboard.registration(
        {"username": " Op.A ", "name": "  Budi   S ", "whatsapp": "+62 812-3456-7890",
         "role": "ditbinmas", "client_ids": ["polres_b", "POLRES_B", ""]}, KNOWN,
    )  # fmt: skip
    assert found == dashboard.Registration(
        "op.a", "Budi S", "6281234567890", Role.DITBINMAS, ("POLRES_B",)
    )


def test_csrf_token_is_bound_to_the_session_and_origins_are_exact() -> None:
    a, b = "csd_" + "a" * 43, "csd_" + "b" * 43
    assert csrf.token_for(a) != csrf.token_for(b) and a not in csrf.token_for(a)
    assert csrf.same(csrf.token_for(a), csrf.token_for(a))
    assert not csrf.same("", "") and not csrf.same(None, "x")
    own = ["http://127.0.0.1:8080"]
    assert csrf.origin_allowed("http://127.0.0.1:8080", None, own, [])
    assert csrf.origin_allowed(None, "http://127.0.0.1:8080/absensi?x=1", own, [])
    for origin in ("null", "http://127.0.0.1:8081", "https://127.0.0.1:8080",
                   "http://127.0.0.1:8080.evil.example", "javascript:alert(1)"):  # fmt: skip
        assert not csrf.origin_allowed(origin, None, own, []), origin
    assert not csrf.origin_allowed(None, None, own, [])
    assert csrf.origin_allowed("https://dash.example", None, own, ["https://dash.example"])


def test_totp_codes_work_once_within_a_step_of_drift() -> None:
    secret = totp.new_secret(bytes(range(20)))
    code = pyotp.TOTP(secret).at(T)
    step = totp.matching_step(secret, code, T, None)
    assert step == totp.step_of(T)
    assert totp.matching_step(secret, code, T, step) is None  # used
    assert totp.matching_step(secret, code, T + timedelta(seconds=30), None) == step  # drift
    assert totp.matching_step(secret, code, T + timedelta(seconds=90), None) is None
    for junk in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.matching_step(secret, junk, T, None) is None
    uri = totp.uri(secret, "admin.satu")
    assert uri.startswith("otpauth://totp/Cicero:admin.satu?") and secret in uri


def test_the_sealed_secret_opens_only_with_the_password() -> None:
    secret = totp.new_secret(bytes(range(20)))
    sealed = totp.seal(secret, "kopi tubruk pagi", b"s" * 16).blob
    assert base64.b32decode(secret) not in sealed
    assert totp.unseal(sealed, "kopi tubruk pagi") == secret
    assert totp.unseal(sealed, "kopi tubruk sore") != secret
    assert totp.seal(secret, "kopi tubruk pagi", b"t" * 16).blob != sealed  # fresh salt, fresh pad
