"""One logging setup for the launcher and every actor process.

Timestamps in Asia/Jakarta, phone numbers masked (last 4 digits shown),
secrets never printed; `CICERO_LOG_FORMAT=json` gives JSON lines.
Thespian forwards every actor's records to its logger process, which applies
the same `logDefs`, so the classes here must be importable by path.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import datetime
from typing import Any

from cicero.domain.timezone import WIB

# Indonesian mobile numbers in any written form: 08…, 62…, +62…, and JIDs.
_PHONE = re.compile(r"(?<!\d)(\+?62[ -]?|0)(8\d)[\d\- ]{2,10}(\d{4})(?!\d)")
_SECRET_KV = re.compile(
    r"(?i)\b(password|passwd|secret|token|api[_-]?key|x-rapidapi-key)(\s*[=:]\s*)(\S+)"
)
_URL_PASSWORD = re.compile(r"(\w+://[^:/@\s]+:)([^@\s]+)(@)")
_OTP = re.compile(r"(?i)(\b(?:kode\s+)?otp\b[^\d\n]{0,20})\d{4,8}\b")
# aiosmtpd (the loopback SMTP sink) logs each connection at INFO and every DATA line, the
# mail's text with its code, at DEBUG: it says nothing below WARNING, whatever the level.
QUIET_LIBRARIES = ("mail.log", "mail.debug")


def mask(text: str) -> str:
    """Mask phone numbers to their last 4 digits and blank secrets and OTP codes in free text."""
    text = _PHONE.sub(lambda m: f"{m[1]}{'*' * 6}{m[3]}", text)
    text = _SECRET_KV.sub(lambda m: f"{m[1]}{m[2]}***", text)
    text = _OTP.sub(lambda m: f"{m[1]}******", text)
    return _URL_PASSWORD.sub(lambda m: f"{m[1]}***{m[3]}", text)


class JakartaFormatter(logging.Formatter):
    """`2026-11-24T22:43:50.223+07:00 INFO cicero.clock: …`, masked."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, style: Any = "%"):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt, style)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, WIB).isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class JsonFormatter(JakartaFormatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "t": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "msg": mask(record.getMessage()),
        }
        if record.exc_info:
            line["exc"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class NotThespianInternals(logging.Filter):
    """Thespian's own admin chatter stays in its own log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("thespian")


def log_defs(fmt: str = "text", level: str = "INFO") -> dict[str, Any]:
    formatter = "cicero.logs.JsonFormatter" if fmt == "json" else "cicero.logs.JakartaFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"cicero": {"()": formatter}},
        "filters": {"quiet": {"()": "cicero.logs.NotThespianInternals"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "cicero",
                "filters": ["quiet"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "asyncio": {"level": "WARNING"},
            "aiohttp.access": {"level": "WARNING"},
            "pgserver": {"level": "WARNING"},
            **{name: {"level": "WARNING"} for name in QUIET_LIBRARIES},
        },
    }


def setup(fmt: str = "text", level: str = "INFO") -> dict[str, Any]:
    defs = log_defs(fmt, level)
    logging.config.dictConfig(defs)
    return defs
