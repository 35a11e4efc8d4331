"""The transition login (api.md §1, W2): until `auth.phone_login_until`, a member of staff
who has no password yet may log in with NRP + their bound WhatsApp number, because the
app in the field sends the typed number as both `whatsapp` and `password`. Each such login
queues a reminder to set a password. Unset (the default) means the door is shut."""

from __future__ import annotations

import hmac
from datetime import datetime

from cicero.domain.people.phones import JidError, normalize_phone
from cicero.domain.timezone import to_wib, wib_date


def open_at(now: datetime, until: datetime | None) -> bool:
    return until is not None and now < until


def number_matches(typed: str, bound: str | None) -> bool:
    """The typed text is the bound number, in any of the ways people type it."""
    if not bound:
        return False
    try:
        typed_phone = normalize_phone(typed)
    except JidError:
        return False
    return hmac.compare_digest(typed_phone.encode(), bound.encode())


def reminder_key(nrp: str, now: datetime) -> str:
    """One reminder a person a WIB day: the app logs in again every two hours, and a number
    that repeats itself to the same people risks a ban."""
    return f"password-reminder:{nrp}:{wib_date(now).isoformat()}"


def reminder_text(name: str, until: datetime) -> str:
    deadline = to_wib(until)
    return (
        f"Yth. {name},\n"
        "Anda baru saja masuk ke aplikasi *Cicero Reposter* memakai nomor WhatsApp. "
        f"Cara ini hanya berlaku sampai {deadline:%d-%m-%Y} pukul {deadline:%H.%M} WIB.\n"
        "Buat password aplikasi sekarang: ketik *userrequest*, balas *ya* sampai muncul daftar "
        "data, lalu pilih *Password aplikasi*. Link pembuatan password akan dikirim ke nomor ini."
    )
