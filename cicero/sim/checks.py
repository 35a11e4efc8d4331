"""Typed reading of one TOML table, collecting every problem as `table.key: problem`.

The scenario parser reads each table through a `Table`, so a bad file yields every
problem at once, one line each, naming where it is (`event[3].until: ...`).
Converters raise `Bad`; nothing else may escape, whatever junk the file holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

from cicero.domain.people.phones import JidError, normalize_phone
from cicero.domain.timezone import WIB, to_wib

T = TypeVar("T")
Conv = Callable[[Any], T]

REQUIRED: Any = object()  # sentinel default: the key must be present
_SHOW_MAX = 60


class Bad(ValueError):
    """One value is wrong; the message says how, without naming where."""


def show(value: object) -> str:
    """A short repr for messages (junk may be huge)."""
    text = repr(value)
    return text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 3] + "..."


def kind_of(value: object) -> str:
    """The TOML name of a value's type, for `must be X, got Y`."""
    match value:
        case bool():
            return "boolean"
        case int():
            return "integer"
        case float():
            return "float"
        case str():
            return "text"
        case datetime():
            return "datetime"
        case date():
            return "date"
        case time():
            return "time"
        case Mapping():
            return "table"
        case list() | tuple():
            return "array"
    return type(value).__name__


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Bad(f"must be text, got {kind_of(value)}")
    if "\x00" in value:  # PostgreSQL's text cannot hold it
        raise Bad("holds a NUL character (\\u0000)")
    return value


def message_text(value: Any) -> str:
    """What someone types: any text, a NUL included (bad input the runtime must survive)."""
    if not isinstance(value, str):
        raise Bad(f"must be text, got {kind_of(value)}")
    return value


def nonempty(value: Any) -> str:
    if not text(value).strip():
        raise Bad("must not be empty")
    return value


def matching(regex: str, what: str) -> Conv[str]:
    compiled = re.compile(regex, re.ASCII)

    def conv(value: Any) -> str:
        if not compiled.fullmatch(text(value)):
            raise Bad(f"{show(value)} is not {what}")
        return value

    return conv


def integer(minimum: int | None = None) -> Conv[int]:
    def conv(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Bad(f"must be a whole number, got {kind_of(value)}")
        if minimum is not None and value < minimum:
            raise Bad(f"{value} is less than {minimum}")
        return value

    return conv


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Bad(f"must be true or false, got {kind_of(value)}")
    return value


def instant(value: Any) -> datetime:
    """A TOML datetime: local ones are Asia/Jakarta, offset ones are converted to WIB."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=WIB)
        try:
            return to_wib(value)
        except (OverflowError, ValueError) as err:  # e.g. year 9999 at +14:00
            raise Bad(f"{value.isoformat()} cannot be expressed in WIB ({err})") from None
    if isinstance(value, date | time):
        raise Bad(f"{value.isoformat()} is a {kind_of(value)}; give a date and time")
    if isinstance(value, str):
        raise Bad(f"{show(value)} is text; write the datetime unquoted, e.g. 2026-11-23T10:00:00")
    raise Bad(f"must be a datetime, got {kind_of(value)}")


def choice(options: Iterable[str], noun: str) -> Conv[str]:
    allowed = tuple(options)

    def conv(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise Bad(f"{show(value)} is not {noun}; use one of {', '.join(allowed)}")
        return value

    return conv


def phone(value: Any) -> str:
    try:
        return normalize_phone(text(value))
    except JidError as err:
        raise Bad(str(err)) from None


class Table:
    """One table of the file at `path` (e.g. `client[2]`); problems go to the shared list."""

    def __init__(self, path: str, raw: Any, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        self.failed = False
        self.data: Mapping[Any, Any] = raw if isinstance(raw, Mapping) else {}
        self.shapeless = not isinstance(raw, Mapping)  # one problem, not one per missing key
        if self.shapeless:
            self.report(None, f"must be a table, got {kind_of(raw)}")

    def report(self, key: object, message: str) -> None:
        where = self.path if key is None else f"{self.path}.{key}"
        self.problems.append(f"{where}: {message}")
        self.failed = True

    def has(self, key: str) -> bool:
        return key in self.data

    def _absent(self, key: str, default: Any) -> Any:
        if default is not REQUIRED:
            return default
        if not self.shapeless:
            self.report(key, "missing (required)")
        return None

    def get(self, key: str, conv: Conv[T], default: Any = REQUIRED) -> Any:
        """The converted value, `default` when absent, or None after reporting a problem."""
        if key not in self.data:
            return self._absent(key, default)
        try:
            return conv(self.data[key])
        except Bad as err:
            self.report(key, str(err))
            return None

    def get_list(self, key: str, conv: Conv[T], default: Any = REQUIRED) -> tuple[T, ...] | None:
        """An array whose items are each converted; a bad item is reported as `key[i]`."""
        if key not in self.data:
            return self._absent(key, default)
        raw = self.data[key]
        if not isinstance(raw, list | tuple):
            self.report(key, f"must be an array, got {kind_of(raw)}")
            return None
        out: list[T] = []
        ok = True
        for i, item in enumerate(raw):
            try:
                out.append(conv(item))
            except Bad as err:
                self.report(f"{key}[{i}]", str(err))
                ok = False
        return tuple(out) if ok else None

    def unknown_keys(self, known: Iterable[str]) -> None:
        allowed = tuple(known)
        for key in self.data:
            if key not in allowed:
                name = key if isinstance(key, str) else show(key)
                self.report(name, f"unknown key; known keys: {', '.join(allowed)}")


def array_of_tables(name: str, raw: Any, problems: list[str]) -> list[Any]:
    """`[[name]]` entries; a single `[name]` table or anything else is reported."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return list(raw)
    problems.append(f"{name}: must be an array of tables ([[{name}]]), got {kind_of(raw)}")
    return []
