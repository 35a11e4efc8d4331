"""Password policy, hash schemes, rehash decisions; the transition login's number match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cicero.domain.auth import passwords, transition
from cicero.domain.auth.passwords import Scheme


@pytest.mark.parametrize(
    ("password", "why"),
    [("short1", "minimal 8"), ("x" * 129, "maksimal 128"), (" spasi di awal", "spasi"),
     ("ab75020001cd", "NRP"), ("081234567890", "nomor WhatsApp"), ("6281234567890", "nomor"),
     ("Password123", "umum"), ("aaaaaaaaaa", "umum"), ("abababababab", "umum")],
)  # fmt: skip
def test_refused_passwords_say_why(password: str, why: str) -> None:
    found = passwords.problem(password, nrp="75020001", phone="6281234567890")
    assert found is not None and why in found


def test_a_decent_password_passes_and_the_dashboard_wants_ten() -> None:
    assert passwords.problem("kopi tubruk pagi", nrp="75020001", phone="6281234567890") is None
    assert passwords.problem("sembilan9", minimum=passwords.MIN_DASHBOARD) is not None


def test_schemes_and_rehash() -> None:
    current = passwords.ARGON2.encoded_prefix() + "c2FsdA$aGFzaA"
    assert passwords.scheme(current) is Scheme.ARGON2ID and not passwords.needs_rehash(current)
    weaker = "$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"
    assert passwords.scheme(weaker) is Scheme.ARGON2ID and passwords.needs_rehash(weaker)
    for bcrypt_hash in ("$2a$10$abc", "$2b$12$abc", "$2y$10$abc"):
        assert passwords.scheme(bcrypt_hash) is Scheme.BCRYPT
        assert passwords.needs_rehash(bcrypt_hash)
    assert passwords.scheme("plain text") is None
    assert passwords.ARGON2.memory_kib == 19456 and passwords.ARGON2.time_cost == 2


def test_the_transition_door_and_the_number_match() -> None:
    until = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert transition.open_at(until - timedelta(seconds=1), until)
    assert not transition.open_at(until, until)
    assert not transition.open_at(until - timedelta(days=1), None)  # unset: shut
    for typed in ("081234567890", "6281234567890", "+62 812-3456-7890", "81234567890"):
        assert transition.number_matches(typed, "6281234567890"), typed
    assert not transition.number_matches("081234567891", "6281234567890")
    assert not transition.number_matches("081234567890", None)
    assert not transition.number_matches("not a number", "6281234567890")


def test_one_reminder_key_per_person_and_wib_day() -> None:
    late = datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)  # 23:59:59 WIB
    assert transition.reminder_key("1", late) != transition.reminder_key(
        "1", late + timedelta(seconds=1)
    )
    assert transition.reminder_key("1", late) == transition.reminder_key(
        "1", late - timedelta(hours=20)
    )
