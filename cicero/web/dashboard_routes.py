"""The dashboard's and the ops pages' part of the one route table (api.md §3, §4): pages,
their JSON API, the admin and ops calls. cicero.web.routes joins it to the app's routes;
the router, the OpenAPI document and the authorization matrix see one table.

To add a page: its handler under cicero/web/pages, a template under cicero/web/templates
extending base.html, one `Route` here (page=True) and one line of cicero.web.nav. An API
route: the handler under cicero/web/api and one `Route` (identities, scope, answers)."""

from __future__ import annotations

from cicero.domain.auth.access import Scope, Who, access
from cicero.web import bodies, static_files
from cicero.web.api import admin_users, amplification, analytics, attendance, dashboard_auth, ops
from cicero.web.api import schemas as s
from cicero.web.pages import accounts as account_pages
from cicero.web.pages import analytics as analytics_page
from cicero.web.pages import attendance as attendance_page
from cicero.web.pages import home
from cicero.web.route import Param, Reply, Route

ANYONE = access(Who.ANONYMOUS)
SIGNED_IN = access(Who.OPERATOR, Who.DIRECTORATE, Who.OPS, Who.ADMIN)
READERS = access(Who.OPERATOR, Who.DIRECTORATE, Who.ADMIN, scope=Scope.CLIENT)
ADMIN = access(Who.ADMIN)
OPS = access(Who.OPS, Who.ADMIN)

PAGE = Reply("page", media="text/html")
SIGN_IN = Reply("signed out: to /login", media="text/html")
ERR = Reply("refused", s.ERROR)
OK = Reply("done", s.ok({"type": "object"}))
XLSX = Reply("the workbook", media=attendance.XLSX)
RANGE = Reply("a range over 31 days, or backwards", s.ERROR)
LIST = Reply("a list", s.ok({"type": "array", "items": {"type": "object"}}))
ACCOUNT_ID = "{account_id}"

DASHBOARD_ROUTES: tuple[Route, ...] = (
    Route("GET", "/static/cicero.js", static_files.static, ANYONE, "The pages' script",
          tag="pages", replies={200: Reply("script", media="text/javascript")}),
    Route("GET", "/static/cicero.css", static_files.static, ANYONE, "The pages' styles",
          tag="pages", replies={200: Reply("style sheet", media="text/css")}),
    # ---- accounts (api.md §1) ----
    Route("GET", "/login", account_pages.login_page, ANYONE, "Login page", tag="pages",
          page=True, query=(Param("next", description="a path to return to"),),
          replies={200: PAGE, 303: Reply("signed in already: home", media="text/html")}),
    Route("GET", "/daftar", account_pages.register_page, ANYONE, "Registration page",
          tag="pages", page=True, replies={200: PAGE}),
    Route("GET", "/lupa-password", account_pages.forgot_page, ANYONE, "Password reset request",
          tag="pages", page=True, replies={200: PAGE}),
    Route("GET", "/reset-password", account_pages.reset_page, ANYONE,
          "New password from a WhatsApp link", tag="pages", page=True, secret_url=True,
          query=(Param("t", required=True, description="the link's token"),),
          replies={200: PAGE, 404: Reply("link spent, expired or unknown", media="text/html")}),
    Route("GET", "/akun", account_pages.account_page, SIGNED_IN, "Own account and password",
          tag="pages", page=True, replies={200: PAGE, 303: SIGN_IN}),
    Route("POST", "/api/auth/dashboard-login", dashboard_auth.login, ANYONE,
          "Dashboard login (+TOTP for admins): sets the __Host-cicero cookie", tag="dashboard",
          double_submit=True, body=bodies.schema(dashboard_auth.LOGIN_FIELDS),
          replies={200: OK, 401: ERR, 403: ERR, 429: Reply("locked (Retry-After)", s.ERROR)}),
    Route("POST", "/api/auth/dashboard-logout", dashboard_auth.logout, SIGNED_IN,
          "End this dashboard session", tag="dashboard", replies={200: OK}),
    Route("POST", "/api/auth/dashboard-register", dashboard_auth.register, ANYONE,
          "Register a dashboard account (pending until an admin decides)", tag="dashboard",
          double_submit=True, body=bodies.schema(dashboard_auth.REGISTER_FIELDS),
          replies={201: OK, 422: ERR, 429: ERR}),
    Route("POST", "/api/auth/password-reset/request", dashboard_auth.reset_request, ANYONE,
          "Ask for a reset link by WhatsApp (always 202)", tag="dashboard", double_submit=True,
          body=bodies.schema(dashboard_auth.RESET_REQUEST_FIELDS), replies={202: OK}),
    Route("POST", "/api/auth/password-reset", dashboard_auth.reset, ANYONE,
          "Set a new password from a reset link", tag="dashboard", double_submit=True,
          body=bodies.schema(dashboard_auth.RESET_FIELDS), replies={200: OK, 404: ERR, 422: ERR}),
    Route("GET", "/api/me", dashboard_auth.me, SIGNED_IN, "Identity, role, CSRF token, scope",
          tag="dashboard", replies={200: OK}),
    Route("POST", "/api/me/password", dashboard_auth.change_password, SIGNED_IN,
          "Change one's own password (ends every session)", tag="dashboard",
          body=bodies.schema(dashboard_auth.PASSWORD_FIELDS), replies={200: OK, 422: ERR}),
    # ---- admin: dashboard accounts ----
    Route("GET", "/admin/pengguna", account_pages.users_page, ADMIN, "Approvals page",
          tag="pages", page=True, replies={200: PAGE, 303: SIGN_IN}),
    Route("GET", "/api/admin/dashboard-users", admin_users.list_accounts, ADMIN,
          "Dashboard accounts, pending first", tag="admin", replies={200: LIST}),
    Route("POST", f"/api/admin/dashboard-users/{ACCOUNT_ID}/approve", admin_users.approve, ADMIN,
          "Approve a registration, fixing role and clients", tag="admin",
          body=bodies.schema(admin_users.APPROVE_FIELDS),
          replies={200: OK, 404: ERR, 409: ERR, 422: ERR}),
    Route("POST", f"/api/admin/dashboard-users/{ACCOUNT_ID}/reject", admin_users.reject, ADMIN,
          "Reject a registration", tag="admin", body=bodies.schema(admin_users.REASON_FIELDS),
          replies={200: OK, 404: ERR, 409: ERR}),
    Route("POST", f"/api/admin/dashboard-users/{ACCOUNT_ID}/disable", admin_users.disable, ADMIN,
          "Deactivate an account and end its sessions", tag="admin",
          body=bodies.schema(admin_users.REASON_FIELDS), replies={200: OK, 403: ERR, 404: ERR}),
    Route("POST", f"/api/admin/dashboard-users/{ACCOUNT_ID}/revoke", ops.revoke_sessions, ADMIN,
          "End every session of an account", tag="admin",
          body=bodies.schema(ops.REASON_FIELDS), replies={200: OK, 404: ERR}),
    # ---- ops (api.md §4) ----
    Route("GET", "/status", ops.status_page, OPS, "Status page: sessions, pairing, jobs, outbox",
          tag="ops", page=True, replies={200: PAGE, 303: SIGN_IN}),
    Route("GET", "/api/ops/status", ops.status_json, OPS, "What /status shows (polled)",
          tag="ops", replies={200: OK}),
    Route("GET", "/api/ops/pairing/{session}/qr.svg", ops.qr_svg, ADMIN,
          "The session's current pairing QR (never cached)", tag="ops",
          query=(Param("v", description="the code the page saw: a placeholder once it ended"),),
          replies={200: Reply("QR code", media="image/svg+xml"), 404: ERR}),
    Route("POST", "/api/ops/pairing/{session}", ops.pair, ADMIN,
          "Fresh QR codes, or a pair code for a number; pair again after a terminal state",
          tag="ops", body=bodies.schema(ops.PAIR_FIELDS),
          replies={200: OK, 404: ERR, 409: ERR, 422: ERR}),
    Route("POST", "/api/ops/jobs/{job}/{action}", ops.job_action, ADMIN,
          "pause, resume or run a job now", tag="ops", body=bodies.schema(ops.REASON_FIELDS),
          replies={200: OK, 404: ERR}),
    Route("POST", "/api/ops/outbox/{row_id}/{action}", ops.outbox_action, ADMIN,
          "An in_doubt message: sent (it arrived) or resend", tag="ops",
          body=bodies.schema(ops.REASON_FIELDS), replies={200: OK, 404: ERR, 409: ERR}),
    # ---- the dashboard (api.md §3) ----
    Route("GET", "/", home.home_page, READERS, "Home: today's counts in scope", tag="pages",
          page=True, replies={200: PAGE, 303: SIGN_IN}),
    Route("GET", "/api/clients", home.clients, READERS, "Clients in scope", tag="dashboard",
          replies={200: LIST}),
    Route("GET", "/api/summary", home.summary, READERS, "Home numbers", tag="dashboard",
          query=(Param("client_id"),), replies={200: OK}),
    Route("GET", "/absensi/{platform}", attendance_page.attendance_page, READERS,
          "Attendance of a scope and period (instagram, tiktok)", tag="pages", page=True,
          query=attendance.QUERY, replies={200: PAGE, 303: SIGN_IN, 422: RANGE}),
    Route("GET", "/api/attendance", attendance.attendance, READERS,
          "Attendance: period, required, posts, summary, groups of people, days", tag="dashboard",
          query=attendance.QUERY, replies={200: OK, 422: RANGE}),
    Route("GET", "/api/attendance/text", attendance.attendance_text, READERS,
          "The WhatsApp recap's text of the same scope and moment", tag="dashboard",
          query=attendance.QUERY, replies={200: Reply("recap", media="text/plain"), 422: RANGE}),
    Route("GET", "/api/exports/attendance.xlsx", attendance.attendance_xlsx, READERS,
          "Attendance as Excel", tag="dashboard", query=attendance.QUERY,
          replies={200: XLSX, 422: RANGE}),
    Route("GET", "/api/exports/per-content.xlsx", attendance.per_content_xlsx, READERS,
          "Per-content attendance as Excel (a sheet per satker)", tag="dashboard",
          query=attendance.QUERY, replies={200: XLSX, 422: RANGE}),
    Route("GET", "/amplifikasi", amplification.amplification_page, READERS,
          "Amplification: routine/special per person and per post", tag="pages", page=True,
          query=amplification.QUERY, replies={200: PAGE, 303: SIGN_IN}),
    Route("GET", "/api/amplification", amplification.amplification_json, READERS,
          "Amplification: posts with reporters, summary, people", tag="dashboard",
          query=amplification.QUERY, replies={200: OK}),
    Route("GET", "/api/exports/amplification.xlsx", amplification.amplification_xlsx, READERS,
          "Amplification as Excel", tag="dashboard", query=amplification.QUERY,
          replies={200: XLSX}),
    Route("DELETE", "/api/link-reports/{kind}/{shortcode}/{nrp}", amplification.delete_report,
          access(Who.OPERATOR, Who.DIRECTORATE, Who.ADMIN), "Delete a wrong link report (reason)",
          tag="dashboard", body=bodies.schema(amplification.DELETE_FIELDS),
          replies={200: OK, 404: ERR, 422: ERR}),
    # ---- analytics (issue 17) ----
    Route("GET", "/analitik/{platform}", analytics_page.analytics_page, READERS,
          "Analytics of a scope and period (instagram, tiktok)", tag="pages", page=True,
          query=analytics.QUERY,
          replies={200: PAGE, 303: SIGN_IN, 400: Reply("bad query words", media="text/html"),
                   422: Reply("a range over 31 days, or backwards", media="text/html")}),
    Route("GET", "/api/analytics", analytics.analytics_json, READERS,
          "Analytics: accounts side by side, days, posts, top and bottom, from stored data",
          tag="dashboard", query=analytics.QUERY,
          replies={200: Reply("the analytics", s.ok(analytics.ANSWER)), 422: RANGE}),
    Route("GET", "/api/exports/analytics.xlsx", analytics.analytics_xlsx, READERS,
          "Analytics as Excel", tag="dashboard", query=analytics.QUERY,
          replies={200: XLSX, 422: RANGE}),
)  # fmt: skip
