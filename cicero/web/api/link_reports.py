"""A5, A6: link reports (api.md §2.1). Own reports only; the submission's rules are
cicero.domain.amplification.submission; racing submitters meet in the unique key index.
A6 reads its post in the statement that checks the caller's token (Route.with_token)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg
from aiohttp import web

from cicero.db import app_api
from cicero.db.auth import TokenRow, lookup_token
from cicero.domain.amplification import submission
from cicero.domain.amplification.links import FIELDS, LinkField, first_url, key
from cicero.domain.auth.access import Denial, Target, authorize
from cicero.web.api.items import report_item
from cicero.web.bodies import Field, check, read_json
from cicero.web.context import ctx
from cicero.web.errors import ApiError
from cicero.web.identify import with_token
from cicero.web.request_state import ROUTE, principal
from cicero.web.server import deny, json_ok

LIST_LIMIT = 200
REPORT_FIELDS = {
    "shortcode": Field(str, description="the post's shortcode", max_length=64),
    "post_id": Field(str, description="alias of shortcode", max_length=64),
    "user_id": Field(str, description="the caller's NRP, or absent", max_length=32),
    "client_id": Field(
        str, description="sent by some app builds; must be the caller's", max_length=64
    ),
    **{f.column: Field(str, description=f"{f.value} link (https)") for f in FIELDS},
}


def _kind(request: web.Request) -> str:
    return "special" if request.path.rstrip("/").endswith("-khusus") else "routine"


async def list_reports(request: web.Request) -> web.Response:
    c, who = ctx(request), principal(request)
    kind, query = _kind(request), request.query
    sent = [*query.getall("links[]", []), *query.getall("links", [])]
    if sent:  # (c) which of these links are already reported, by anyone
        keyed = {k: raw for raw in sent if (u := first_url(raw)) and (k := key(u))}
        async with c.db().acquire() as conn:
            used = await app_api.used_keys(conn, list(keyed))
        return json_ok([], duplicates=[keyed[k] for k in keyed if k in used])
    shortcode = query.get("shortcode") or query.get("post_id")
    async with c.db().acquire() as conn:
        if shortcode is not None:  # (b) the caller's report on one post
            row = await app_api.report_for(conn, who.subject, kind, shortcode)
            return json_ok([report_item(row)] if row else [])
        since = c.now() - c.report_window  # (a) the caller's reports in the window
        rows = await app_api.own_reports(conn, who.subject, kind, since, LIST_LIMIT)
    return json_ok([report_item(r) for r in rows])


def _shortcode(body: Mapping[str, Any]) -> Any:
    return body.get("shortcode") or body.get("post_id") or ""


async def post_with_token(
    conn: asyncpg.Connection, token_hash: bytes, request: web.Request, now: datetime
) -> tuple[TokenRow | None, tuple[str, asyncpg.Record | None] | None]:
    """The token's row and the caller's task post the body names: (shortcode, post or None).
    The body is read here only when its declared length is within the limit (a body too
    large, of unknown length or not JSON is left to the handler, which answers it as ever:
    the token is then looked up alone)."""
    length, limit = request.content_length, ctx(request).settings.config.web.body_limit_kb
    shortcode: Any = None
    if length is not None and length <= limit * 1024:
        try:
            body = await read_json(request)
        except ApiError:  # not JSON: the handler answers it
            body = None
        if isinstance(body, dict):
            shortcode = _shortcode(body)
    if not isinstance(shortcode, str) or not shortcode.strip():
        return await lookup_token(conn, token_hash), None
    shortcode = shortcode.strip()
    token, post = await app_api.caller_task_post(conn, token_hash, _kind(request), shortcode)
    return token, (shortcode, post)


async def submit_report(request: web.Request) -> web.Response:
    c, who = ctx(request), principal(request)
    kind = _kind(request)
    body = check(await read_json(request), REPORT_FIELDS)
    named = Target(user_id=body.get("user_id") or None, client_id=body.get("client_id") or None)
    denial = authorize(who, request[ROUTE].access, named)
    if denial is not None:
        raise deny(denial)
    if named.client_id is not None and not who.covers_client(named.client_id):
        raise deny(Denial.OUT_OF_SCOPE)
    shortcode = _shortcode(body).strip()
    if not shortcode:
        raise ApiError(400, "bad_request", fields={"shortcode": "wajib diisi"})
    raw = {f: body.get(f.column, "") for f in FIELDS}
    now = c.now()
    read = with_token(request)  # (shortcode, post) read with the token
    async with c.db().acquire() as conn:
        if read is not None and read[0] == shortcode:
            post = read[1]
        else:
            post = await app_api.task_post(
                conn, who.client_id or "", sorted(who.roles), kind, shortcode
            )
        if post is None:
            raise ApiError(404, "not_found", "Konten tidak ditemukan dalam tugas Anda.")
        verdict = submission.judge(raw, kind == "special", post["posted_at"], now, c.report_window)
        if isinstance(verdict, submission.Refusal):
            # A replay of a stored report is answered as one, even once its window closed.
            stored = await app_api.report_of_post(conn, post["id"], who.subject)
            if stored is not None:
                return _replay(stored, raw)
            c.counters.reports[kind, verdict.code] += 1
            raise ApiError(verdict.status, verdict.code, fields=verdict.fields)
        keys = submission.keys(verdict)
        done = await app_api.insert_report(conn, post["id"], who.subject, verdict, keys, now)
        if done.report_exists:  # one report per post and person: a replay or a conflict
            stored = await app_api.report_of_post(conn, post["id"], who.subject)
            assert stored is not None
            return _replay(stored, raw)
        if not done.ok:
            c.counters.reports[kind, "link_duplicate"] += 1
            duplicates = [verdict[keys[k]] for k in keys if k in done.taken]
            raise ApiError(409, "link_duplicate", extra={"duplicates": duplicates},
                           fields={keys[k].column: "sudah dilaporkan" for k in done.taken})  # fmt: skip
    # What was stored, without asking again: the post's row, the links, this instant.
    row = {"external_id": post["external_id"], "nrp": who.subject, "reported_at": now,
           "caption": post["caption"], "media": post["media"],
           **{f.column: verdict.get(f) for f in FIELDS}}  # fmt: skip
    c.counters.reports[kind, "created"] += 1
    return json_ok(report_item(row), status=201)


def _replay(stored: Mapping[str, Any], raw: dict[LinkField, str]) -> web.Response:
    """An identical body answers 200 with the stored report; anything else is a conflict.
    `stored` is the report's row (a database record, as report_item takes it)."""
    links, problems = submission.clean(raw)
    current = {f: stored[f.column] for f in FIELDS}
    if not problems and submission.same_report(current, links):
        return json_ok(report_item(stored))
    raise ApiError(409, "report_exists")
