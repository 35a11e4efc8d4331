"""The simulation transcript: one JSON object a line (spec/scenario.md "Transcript").

Durability: each line is one `os.write` on an `O_APPEND` descriptor, with no buffer in
this process, so a SIGKILL right after a method returns loses nothing, and several
processes may append to one file without interleaving inside a line. A line counts
once its newline is written. A writer killed inside `write` can leave a torn tail
without a newline; opening the file again cuts that tail off (so it never ends up in
the middle of the file), and `read_transcript` ignores it too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from cicero.domain.timezone import to_wib

# The keys of each line type after `t` and `type`, in the order they are written.
LINE_KEYS: dict[str, tuple[str, ...]] = {
    "session": ("session", "state", "reason"),
    "job": ("job", "fire_time", "status", "reason"),
    "wa": (
        "session",
        "to",
        "text",
        "id",
        "key",
        "job",
        "fire_time",
        "in_reply_to",
        "attachment",
    ),
    "email": ("to", "subject", "key"),
    "recap": ("job", "fire_time", "report", "scope", "platform", "posts", "people"),
    "ingest": ("platform", "client", "posts", "new_posts", "engagements"),
    "fault": ("where", "what"),
    "http": ("method", "path", "status", "body", "id"),
    "end": ("outbox",),
}
ATTACHMENT_KEYS = ("filename", "mimetype", "sha256")
PERSON_KEYS = ("nrp", "client", "status", "done", "total")


def iso(t: datetime) -> str:
    """ISO 8601 in WIB (`…+07:00`); naive datetimes are refused by `to_wib`."""
    return to_wib(t).isoformat()


def encode_line(line: Mapping[str, Any]) -> bytes:
    """The line as compact UTF-8 JSON and its newline. orjson writes the same bytes as the
    standard library's `dumps(ensure_ascii=False, separators=(",", ":"))` for the strings,
    integers and nulls transcripts hold, ~5x faster (a simulated day writes ~13 MB); what it
    refuses (an integer beyond 64 bits) goes through the standard library."""
    try:
        return orjson.dumps(line, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class Transcript:
    """Appends lines to `path`; safe to reopen after the previous writer was killed."""

    def __init__(self, path: str | Path, *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.fsync = fsync  # also survive a machine crash (slower); process crashes need not
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        _cut_torn_tail(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Transcript:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_line(self, type_: str, t: datetime, fields: Mapping[str, Any]) -> dict[str, Any]:
        """One line: `t`, `type`, then `fields` in their order. Use for extension types."""
        line = {"t": iso(t), "type": type_, **fields}
        data = encode_line(line)
        view = memoryview(data)
        while view:  # a regular file takes it in one write; loop for the exotic case
            written = os.write(self._fd, view)
            view = view[written:]
        if self.fsync:
            os.fsync(self._fd)
        return line

    def _spec_line(self, type_: str, t: datetime, **values: Any) -> dict[str, Any]:
        return self.write_line(type_, t, {k: values[k] for k in LINE_KEYS[type_]})

    # --- the spec's line types -------------------------------------------------------
    def session(
        self, t: datetime, *, session: str, state: str, reason: str | None = None
    ) -> dict[str, Any]:
        return self._spec_line("session", t, session=session, state=str(state), reason=reason)

    def job(
        self,
        t: datetime,
        *,
        job: str,
        fire_time: datetime,
        status: str,
        reason: str | None = None,
    ) -> dict[str, Any]:
        return self._spec_line(
            "job", t, job=job, fire_time=iso(fire_time), status=str(status), reason=reason
        )

    def wa(
        self,
        t: datetime,
        *,
        session: str,
        to: object,
        text: str | None,
        id: str,
        key: str | None = None,
        job: str | None = None,
        fire_time: datetime | None = None,
        in_reply_to: str | None = None,
        attachment: Mapping[str, Any] | object | None = None,
    ) -> dict[str, Any]:
        """`to` is a JID or phone (written with str); `attachment` a mapping or an object
        with filename, mimetype and sha256 (e.g. whatsapp.simulated.Attachment)."""
        return self._spec_line(
            "wa",
            t,
            session=session,
            to=str(to),
            text=text,
            id=id,
            key=key,
            job=job,
            fire_time=None if fire_time is None else iso(fire_time),
            in_reply_to=in_reply_to,
            attachment=None if attachment is None else _pick(attachment, ATTACHMENT_KEYS),
        )

    def email(
        self, t: datetime, *, to: str, subject: str, key: str | None = None
    ) -> dict[str, Any]:
        return self._spec_line("email", t, to=to, subject=subject, key=key)

    def recap(
        self,
        t: datetime,
        *,
        job: str,
        fire_time: datetime,
        report: str,
        scope: str,
        platform: str,
        posts: Sequence[str],
        people: Sequence[Mapping[str, Any] | object],
    ) -> dict[str, Any]:
        """`people`: mappings with nrp, client, status, done, total, or objects whose
        `transcript()` gives one (domain.attendance's result)."""
        return self._spec_line(
            "recap",
            t,
            job=job,
            fire_time=iso(fire_time),
            report=report,
            scope=scope,
            platform=str(platform),
            posts=list(posts),
            people=[_pick(_person(p), PERSON_KEYS) for p in people],
        )

    def ingest(
        self,
        t: datetime,
        *,
        platform: str,
        client: str,
        posts: int,
        new_posts: int,
        engagements: int,
    ) -> dict[str, Any]:
        return self._spec_line(
            "ingest",
            t,
            platform=str(platform),
            client=client,
            posts=posts,
            new_posts=new_posts,
            engagements=engagements,
        )

    def fault(self, t: datetime, *, where: str, what: str) -> dict[str, Any]:
        return self._spec_line("fault", t, where=where, what=what)

    def end(self, t: datetime, *, outbox: Mapping[str, int]) -> dict[str, Any]:
        """`outbox`: counts by status; written sorted by status so runs compare byte for byte."""
        return self._spec_line("end", t, outbox={str(k): outbox[k] for k in sorted(outbox)})


def _person(p: Mapping[str, Any] | object) -> Mapping[str, Any] | object:
    make = getattr(p, "transcript", None)
    return make() if callable(make) and not isinstance(p, Mapping) else p


def _pick(value: Mapping[str, Any] | object, keys: tuple[str, ...]) -> dict[str, Any]:
    """Exactly `keys` from a mapping or an object's attributes; a missing one is a bug."""
    if isinstance(value, Mapping):
        missing = [k for k in keys if k not in value]
        extra = [k for k in value if k not in keys]
        if missing or extra:
            raise ValueError(f"want keys {keys}; missing {missing}, unexpected {extra}")
        return {k: _plain(value[k]) for k in keys}
    missing = [k for k in keys if not hasattr(value, k)]
    if missing:
        raise ValueError(f"{type(value).__name__} lacks {missing}")
    return {k: _plain(getattr(value, k)) for k in keys}


def _plain(v: Any) -> Any:
    return str(v) if isinstance(v, str) else v  # StrEnum members → plain str


def _cut_torn_tail(fd: int) -> None:
    """Drop bytes after the last newline: the remains of a writer killed mid-line."""
    size = os.fstat(fd).st_size
    if size == 0:
        return
    pos, chunk = size, 4096
    while pos > 0:
        start = max(0, pos - chunk)
        block = os.pread(fd, pos - start, start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            end = start + cut + 1
            if end < size:
                os.ftruncate(fd, end)
            return
        pos = start
    os.ftruncate(fd, 0)


def read_transcript(path: str | Path) -> list[dict[str, Any]]:
    """Every complete line, parsed. A last line without its newline is torn and dropped;
    a bad line anywhere else is a real fault and raises ValueError naming its number."""
    data = Path(path).read_bytes()
    complete, _, _torn = data.rpartition(b"\n")
    lines: list[dict[str, Any]] = []
    for number, raw in enumerate(complete.split(b"\n") if complete else [], start=1):
        if not raw.strip():
            continue
        try:
            lines.append(json.loads(raw))
        except ValueError as err:
            raise ValueError(f"{path}: line {number} is not JSON: {err}") from None
    return lines
