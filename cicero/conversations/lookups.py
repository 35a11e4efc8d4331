"""Answers to the menu machine's questions, read from the database in the step's transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg

from cicero.conversations import password_links
from cicero.conversations.facts import staff_view
from cicero.db import staff
from cicero.domain.auth import otp
from cicero.domain.menus.model import (
    Answer,
    CheckOtp,
    ComplaintData,
    ComplaintFacts,
    FindHandleOwner,
    FindPhoneOwner,
    FindStaff,
    FindStaffMany,
    HandleOwner,
    IssueOtp,
    IssuePasswordLink,
    OtpChecked,
    OtpIssued,
    PasswordLinkSent,
    PhoneOwner,
    Query,
    StaffFound,
    StaffMany,
)

COMPLAINT_WINDOW = timedelta(days=30)


class Mail:
    """Emails a step decided to send; queued with its replies."""

    def __init__(self) -> None:
        self.queued: list[otp.OtpMail] = []


async def answer(
    conn: asyncpg.Connection,
    query: Query,
    now: datetime,
    mail: Mail,
    secret: Callable[[], bytes] = lambda: b"",
) -> Answer:
    """`secret` gives the server secret, asked only by the questions about OTP codes."""
    if isinstance(query, FindStaff):
        return StaffFound(query.nrp, await staff_view(conn, query.nrp))
    if isinstance(query, FindStaffMany):
        found = [await staff_view(conn, nrp) for nrp in dict.fromkeys(query.nrps)]
        return StaffMany(tuple(s for s in found if s is not None))
    if isinstance(query, FindHandleOwner):
        holder = await staff.handle_owner(conn, query.platform, query.handle)
        return HandleOwner(query.platform, query.handle, holder.nrp if holder else None)
    if isinstance(query, FindPhoneOwner):
        holder = await staff.phone_owner(conn, query.phone)
        return PhoneOwner(query.phone, holder.nrp if holder else None)
    if isinstance(query, IssueOtp):
        return await _issue(conn, query, now, mail, secret())
    if isinstance(query, CheckOtp):
        return await _check(conn, query, now, secret())
    if isinstance(query, IssuePasswordLink):
        q = query
        sent = await password_links.issue(
            conn, q.nrp, q.phone, q.requested_by, q.session, q.base_url, now
        )
        return PasswordLinkSent(sent)
    if isinstance(query, ComplaintFacts):
        return await _complaint(conn, query, now)
    raise TypeError(f"no answer for {type(query).__name__}")


async def _issue(
    conn: asyncpg.Connection, q: IssueOtp, now: datetime, mail: Mail, secret: bytes
) -> OtpIssued:
    earlier = tuple(
        r["at"]
        for r in await conn.fetch(
            "SELECT at FROM otp_request WHERE nrp = $1 AND at > $2", q.nrp, now - timedelta(hours=1)
        )
    )
    out = otp.issue(q.nrp, q.email, secrets.randbelow(10**6), now, earlier, secret=secret)
    if isinstance(out, otp.Throttled):
        return OtpIssued(False)
    r = out.record
    await conn.execute(
        """INSERT INTO otp_code (nrp, email, code_hash, expires_at, wrong) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (nrp) DO UPDATE SET email = $2, code_hash = $3, expires_at = $4, wrong = $5""",
        r.nrp, r.email, r.code_hash, r.expires_at, r.wrong,
    )  # fmt: skip
    await conn.execute("INSERT INTO otp_request (nrp, at) VALUES ($1, $2)", q.nrp, now)
    mail.queued.append(out.mail)
    return OtpIssued(True)


async def _check(conn: asyncpg.Connection, q: CheckOtp, now: datetime, secret: bytes) -> OtpChecked:
    row = await conn.fetchrow("SELECT * FROM otp_code WHERE nrp = $1", q.nrp)
    record = otp.OtpRecord(**dict(row)) if row else None
    verdict = otp.verify(record, q.code, now, secret=secret)
    if verdict.record is None:
        await conn.execute("DELETE FROM otp_code WHERE nrp = $1", q.nrp)
    else:
        await conn.execute(
            "UPDATE otp_code SET wrong = $2 WHERE nrp = $1", q.nrp, verdict.record.wrong
        )
    return OtpChecked(verdict.check.value, verdict.tries_left)


async def _complaint(conn: asyncpg.Connection, q: ComplaintFacts, now: datetime) -> ComplaintData:
    staff = await staff_view(conn, q.nrp)
    if staff is None:
        return ComplaintData(q.nrp, None)
    since = now - COMPLAINT_WINDOW

    async def count(kind: str, handle: str | None) -> int:
        if not handle:
            return 0
        return await conn.fetchval(
            """SELECT count(*) FROM engagement e JOIN post p ON p.id = e.post_id
               WHERE e.kind = $1 AND e.username = $2 AND p.client_id = $3 AND p.posted_at >= $4""",
            kind, handle, staff.client_id, since,
        )  # fmt: skip

    return ComplaintData(
        q.nrp,
        staff,
        likes_in_window=await count("like", staff.instagram),
        comments_in_window=await count("comment", staff.tiktok),
        reported_ig_found=bool(
            q.instagram and q.instagram != staff.instagram and await count("like", q.instagram)
        ),
        reported_tiktok_found=bool(
            q.tiktok and q.tiktok != staff.tiktok and await count("comment", q.tiktok)
        ),
    )
