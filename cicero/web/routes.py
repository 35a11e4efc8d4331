"""Every route the web server answers, in one table (STYLE §6). The router, the OpenAPI
document (`GET /api/openapi.json`) and the authorization matrix are built from it; a path
not listed here is a 404 in the error envelope.

To add a route: write the handler, add one `Route` with its identities and scope (the
tests refuse a route that declares none), its documented answers, and its query or body.
"""

from __future__ import annotations

from aiohttp import web

from cicero.domain.auth.access import Scope, Who, access
from cicero.web import bodies
from cicero.web.api import auth, link_reports, profiles, staff
from cicero.web.api import schemas as s
from cicero.web.dashboard_routes import DASHBOARD_ROUTES
from cicero.web.pages import password as password_page
from cicero.web.route import Param, Reply, Route
from cicero.web.staff_routes import STAFF_ROUTES

STAFF = access(Who.STAFF)
STAFF_SELF = access(Who.STAFF, scope=Scope.SELF)
STAFF_CLIENT = access(Who.STAFF, scope=Scope.CLIENT)
ANYONE = access(Who.ANONYMOUS)
SCRAPE = access(Who.SCRAPER, Who.ADMIN)

DENIED = Reply("refused", s.ERROR)
POSTS = {
    200: Reply(
        "today's tasks, by posted_at then shortcode", s.ok({"type": "array", "items": s.POST_ITEM})
    )
}
CLIENT_Q = (Param("client_id", description="the caller's client, any case; absent = the caller's"),)
REPORT_Q = (
    Param("shortcode", description="(b) the caller's report on this post"),
    Param("post_id", description="alias of shortcode"),
    Param("user_id", description="(b) the caller's NRP"),
    Param("links[]", repeated=True, description="(c) links to check for duplicates"),
    Param("links", repeated=True, description="(c) the same, without brackets"),
)
REPORT_LIST = Reply(
    "(a) own reports in the window, (b) [report] or [], (c) [] + duplicates",
    s.ok({"type": "array", "items": s.REPORT_ITEM}, duplicates=s.DUPLICATES)
    | {"required": ["success", "data"]},
)
REPORT_POST = {
    201: Reply("stored", s.ok(s.REPORT_ITEM)),
    200: Reply("an identical replay: the stored report", s.ok(s.REPORT_ITEM)),
    404: Reply("not a post of the caller's tasks", s.ERROR),
    409: Reply("report_exists, or link_duplicate + duplicates", s.ERROR),
    422: Reply("window_closed, invalid_link, no_links, invalid", s.ERROR),
}
PROFILE_Q = (Param("username", required=True, description="the caller's own Instagram handle"),)


async def openapi_json(request: web.Request) -> web.Response:
    from cicero.web.openapi import document

    return web.json_response(document(ROUTES))


ROUTES: tuple[Route, ...] = (
    # ---- ops (handlers supplied by cicero.web.app) ----
    Route("GET", "/healthz", "healthz", ANYONE, "Health in words", tag="ops",
          replies={200: Reply("ok or degraded", {"type": "object"}),
                   503: Reply("down", {"type": "object"})}),
    Route("GET", "/metrics", "metrics", SCRAPE, "Prometheus metrics", tag="ops",
          replies={200: Reply("exposition format", media="text/plain")}),
    Route("GET", "/api/openapi.json", openapi_json, ANYONE, "This document", tag="ops",
          replies={200: Reply("OpenAPI 3.1", {"type": "object"})}),
    # ---- the app: authentication (A1) ----
    Route("POST", "/api/auth/user-login", auth.login, ANYONE, "A1: staff login",
          body=bodies.schema(auth.LOGIN_FIELDS),
          replies={200: Reply("logged in", s.LOGIN), 401: DENIED, 403: DENIED,
                   429: Reply("locked (Retry-After)", s.ERROR)}),
    Route("POST", "/api/auth/refresh", auth.refresh, ANYONE, "Rotate a refresh token",
          body=bodies.schema(auth.REFRESH_FIELDS),
          replies={200: Reply("a new pair", s.LOGIN), 401: DENIED}),
    Route("POST", "/api/auth/logout", auth.logout, STAFF, "Revoke this login",
          replies={200: Reply("revoked", s.REVOKED)}),
    # ---- staff password page (menus.md §4 "Password aplikasi") ----
    Route("GET", "/akun/password", password_page.show, ANYONE,
          "Set the app's password from a single-use link", tag="pages", page=True, secret_url=True,
          query=(Param("t", required=True, description="the link's token"),),
          replies={200: Reply("the form", media="text/html"),
                   404: Reply("link spent, expired or unknown", media="text/html")}),
    Route("POST", "/akun/password", password_page.save, ANYONE, "Save the app's password",
          tag="pages", page=True, secret_url=True, form=True,
          replies={200: Reply("saved", media="text/html"),
                   404: Reply("link spent, expired or unknown", media="text/html"),
                   422: Reply("refused password, form again", media="text/html")}),
    # ---- the app: A2–A8 ----
    Route("GET", "/api/users/{user_id}", staff.profile, STAFF_SELF, "A2: own profile",
          budget="get", with_token=staff.profile_with_token, replies={200: Reply("profile", s.ok(s.PROFILE))}),
    Route("GET", "/api/insta/posts", staff.task_posts, STAFF_CLIENT, "A3: today's posts",
          query=CLIENT_Q, budget="get", replies=POSTS, with_token=staff.routine_with_token),
    Route("GET", "/api/insta/posts-khusus", staff.task_posts, STAFF_CLIENT,
          "A4: today's special tasks", query=CLIENT_Q, budget="get", replies=POSTS,
          with_token=staff.special_with_token),
    Route("GET", "/api/link-reports", link_reports.list_reports, STAFF_SELF,
          "A5: own link reports", query=REPORT_Q, budget="get", replies={200: REPORT_LIST}),
    Route("GET", "/api/link-reports-khusus", link_reports.list_reports, STAFF_SELF,
          "A5: own special link reports", query=REPORT_Q, budget="get",
          replies={200: REPORT_LIST}),
    Route("POST", "/api/link-reports", link_reports.submit_report, STAFF_SELF,
          "A6: report links", body=bodies.schema(link_reports.REPORT_FIELDS), budget="post",
          replies=REPORT_POST, with_token=link_reports.post_with_token),
    Route("POST", "/api/link-reports-khusus", link_reports.submit_report, STAFF_SELF,
          "A6: report links of a special task", body=bodies.schema(link_reports.REPORT_FIELDS),
          budget="post", replies=REPORT_POST, with_token=link_reports.post_with_token),
    Route("GET", "/api/insta/profile", profiles.cached_profile, STAFF, "A7: own IG profile",
          query=PROFILE_Q, budget="get",
          replies={200: Reply("cached", s.ok(s.IG_PROFILE)), 404: Reply("not cached", s.ERROR)}),
    Route("GET", "/api/insta/rapid-profile", profiles.refreshed_profile, STAFF,
          "A8: own IG profile, refreshed when over a day old", query=PROFILE_Q, budget="get",
          replies={200: Reply("fresh or refreshed", s.ok(s.IG_PROFILE)),
                   429: Reply("3 refreshes a day used", s.ERROR),
                   502: Reply("upstream failed", s.ERROR)}),
    *DASHBOARD_ROUTES,
    *STAFF_ROUTES,
)  # fmt: skip

__all__ = ["ROUTES", "Scope"]
