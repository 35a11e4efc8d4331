"""The dashboard over real HTTP on embedded PostgreSQL, as a browser without a script would
use it: a cookie store honouring what Set-Cookie says (Secure, HttpOnly, Path), the login's
double-submit value from the form page, the session's CSRF token and an Origin on unsafe
requests. Accounts of each kind are made the way the service makes them."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from http.cookies import SimpleCookie
from typing import Any

import pyotp
from aiohttp.test_utils import TestClient, TestServer

from cicero.config import load_settings
from cicero.dashboard.admins import add_admin
from cicero.db import dashboard as db
from cicero.db.connect import connect
from cicero.domain.auth.dashboard import Role, Status
from cicero.web.app import build_app
from cicero.web.passwords import hasher
from tests.integration.web.app_world import GOOD, Clock
from tests.integration.web.openapi_check import check_response

DASH_PASSWORD = "teh manis hangat sore"
_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@dataclass
class Browser:
    """One person's cookies and CSRF token against the served app."""

    client: TestClient
    clock: Clock
    url: str
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[SimpleCookie] = field(default_factory=list)
    csrf: str = ""

    def _remember(self, headers: Any) -> None:
        for raw in headers.getall("Set-Cookie", []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            self.set_cookies.append(jar)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def request(
        self, method: str, path: str, body: Any = None, *, csrf: str | None = None,
        origin: str | None = "own", headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, Any, Any]:  # fmt: skip
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD"):
            token = self.csrf if csrf is None else csrf
            if token:
                h["X-CSRF-Token"] = token
            if origin == "own":
                h["Origin"] = str(self.client.make_url("")).rstrip("/")
            elif origin is not None:
                h["Origin"] = origin
        data: Any = raw
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        resp = await self.client.request(method, path, data=data, headers=h, allow_redirects=False)
        self._remember(resp.headers)
        payload = await resp.read()
        try:
            parsed: Any = json.loads(payload)
        except ValueError:
            try:
                parsed = payload.decode("utf-8")
            except UnicodeDecodeError:
                parsed = payload  # a file (an Excel export)
            found = _META.search(parsed) if isinstance(parsed, str) else None
            if found and found.group(1):
                self.csrf = found.group(1)
        check_response(method, path, resp.status, parsed, resp.headers.get("Content-Type", ""))
        return resp.status, parsed, resp.headers

    async def login(
        self, username: str, password: str = DASH_PASSWORD, totp: str | None = None
    ) -> tuple[int, Any]:
        await self.request("GET", "/login")
        body = {"username": username, "password": password}
        if totp is not None:
            body["totp"] = totp
        status, answer, _ = await self.request("POST", "/api/auth/dashboard-login", body)
        if status == 200:
            self.csrf = answer["data"]["csrf_token"]
        return status, answer

    async def sql(self, query: str, *args: Any) -> Any:
        conn = await connect(self.url)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()


@dataclass
class Served:
    client: TestClient
    clock: Clock
    url: str

    def browser(self) -> Browser:
        return Browser(self.client, self.clock, self.url)


@contextlib.asynccontextmanager
async def serve_dashboard(
    url: str, overrides: dict[str, Any] | None = None, clock: Clock | None = None
) -> AsyncIterator[Served]:
    settings = load_settings({}, overrides=overrides or {})
    clock = clock or Clock()
    app = build_app(lambda: (GOOD, 0.1), url, [], settings, now=clock.now)
    async with TestClient(TestServer(app)) as client:
        yield Served(client, clock, url)


async def make_account(
    url: str, username: str, role: Role, clients: tuple[str, ...] = (),
    status: Status = Status.ACTIVE, whatsapp: str | None = None,
    password: str = DASH_PASSWORD, now: datetime | None = None,
) -> int:  # fmt: skip
    from tests.integration.web.app_world import T0

    conn = await connect(url)
    try:
        account_id = await db.insert(
            conn, username=username, name=f"Nama {username}", whatsapp=whatsapp, role=role,
            client_ids=clients, status=status, password_hash=hasher().hash(password),
            now=now or T0,
        )  # fmt: skip
        assert account_id is not None
        return account_id
    finally:
        await conn.close()


async def make_admin(url: str, username: str = "admin.satu", whatsapp: str | None = None) -> str:
    """The admin as `cicero admin add` makes it; returns the TOTP secret from its URI."""
    from tests.integration.web.app_world import T0

    conn = await connect(url)
    try:
        made = await add_admin(
            conn, username, "Admin Satu", whatsapp, DASH_PASSWORD, hasher().hash(DASH_PASSWORD), T0
        )
    finally:
        await conn.close()
    parsed = pyotp.parse_uri(made.otpauth_uri)
    return str(parsed.secret)


def code_at(secret: str, at: datetime) -> str:
    return str(pyotp.TOTP(secret).at(at))
