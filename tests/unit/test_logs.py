from __future__ import annotations

import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from cicero.logs import JakartaFormatter, JsonFormatter, mask


def record(msg: str, *args: object) -> logging.LogRecord:
    rec = logging.LogRecord("cicero.test", logging.INFO, __file__, 1, msg, args, None)
    rec.created = 1_764_000_000.0  # 2025-11-24T16:00:00Z
    return rec


def test_timestamps_are_in_jakarta() -> None:
    line = JakartaFormatter().format(record("hello"))
    assert line.startswith("2025-11-24T23:00:00.000+07:00 INFO cicero.test: hello")


def test_phone_numbers_show_only_the_last_four_digits() -> None:
    for raw in ("6281234567890", "081234567890", "+6281234567890", "6281234567890@s.whatsapp.net"):
        out = mask(f"send to {raw} now")
        assert "7890" in out and "12345" not in out


def test_secrets_are_blanked() -> None:
    out = mask("password=hunter2 x-rapidapi-key: abc123 postgresql://cicero:s3cret@db:5432/x")
    assert "hunter2" not in out and "abc123" not in out and "s3cret" not in out


def test_an_otp_code_in_a_message_is_blanked() -> None:
    # The last net: a library or a future line that logs a mail's text still shows no code.
    for text in ("Kode OTP Anda: 123456", "DATA readline: b'Kode OTP Anda: 654321'", "otp 111222"):
        out = mask(text)
        assert not any(ch.isdigit() for ch in out), out


def test_nrp_and_other_numbers_are_left_alone() -> None:
    assert mask("nrp 75020001 posts 12") == "nrp 75020001 posts 12"


@given(st.from_regex(r"628[0-9]{8,11}", fullmatch=True))
def test_every_mobile_number_is_masked(number: str) -> None:
    out = mask(f"to {number}.")
    assert number not in out and out.endswith(number[-4:] + ".")


def test_json_lines_are_masked_too() -> None:
    line = json.loads(JsonFormatter().format(record("to %s", "6281234567890")))
    assert line["t"].endswith("+07:00") and "12345" not in line["msg"]
