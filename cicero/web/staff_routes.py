"""The staff directory's and the audit log's part of the one route table (api.md §3, §5):
`/personil`, `/personil/{nrp}`, `/api/users…`, `/api/imports…`, `/api/exports/users.xlsx`,
`/admin/audit`. cicero.web.routes joins it to the others.

Readers (operator, directorate, admin) reach the people of clients in their scope: a
`client_id` outside it is refused at the door (403 out_of_scope), a person outside it is not
found (404). The audit log is the admins'; no route writes, edits or deletes an entry."""

from __future__ import annotations

from cicero.domain.auth.access import Scope, Who, access
from cicero.web import bodies, static_files
from cicero.web.api import audit, imports, users
from cicero.web.api import schemas as s
from cicero.web.api.attendance import XLSX
from cicero.web.pages import personil
from cicero.web.route import Reply, Route

READERS = access(Who.OPERATOR, Who.DIRECTORATE, Who.ADMIN, scope=Scope.CLIENT)
ADMIN = access(Who.ADMIN)

PAGE = Reply("page", media="text/html")
SIGN_IN = Reply("signed out: to /login", media="text/html")
ERR = Reply("refused", s.ERROR)
PERSON = Reply("the person (ETag: its version)", s.ok({"type": "object"}))
PAGED = Reply("a page of people, meta{page, per_page, total}",
              s.ok({"type": "array", "items": {"type": "object"}}, meta={"type": "object"}))
KEYSET = Reply("newest first, meta{per_page, next_cursor}",
               s.ok({"type": "array", "items": {"type": "object"}}, meta={"type": "object"}))
REPORT = Reply("the import's report (rows, counts, lines as `cicero import` prints them)",
               s.ok({"type": "object"}))
EDIT = {200: PERSON, 400: Reply("unknown field, or no If-Match", s.ERROR), 404: ERR,
        409: Reply("handle_taken (naming the holder's unit), or a number in use", s.ERROR),
        412: Reply("stale_version: changed since this version", s.ERROR),
        422: Reply("invalid: a validator's refusal per field", s.ERROR)}  # fmt: skip
USER = "/api/users/{user_id}"

STAFF_ROUTES: tuple[Route, ...] = (
    Route("GET", "/static/personil.js", static_files.static, access(Who.ANONYMOUS),
          "The directory's script", tag="pages",
          replies={200: Reply("script", media="text/javascript")}),
    Route("GET", "/personil", personil.directory_page, READERS,
          "Staff directory: filters, search, completeness per unit, add, import", tag="pages",
          page=True, query=users.QUERY,
          replies={200: PAGE, 303: SIGN_IN, 400: Reply("a query word out of range", media="text/html")}),
    Route("GET", "/personil/{nrp}", personil.person_page, READERS,
          "One person: edit (If-Match), status, roles, password link, history", tag="pages",
          page=True, replies={200: PAGE, 303: SIGN_IN}),
    Route("GET", "/api/users", users.list_users, READERS,
          "Staff in scope: A2 fields + masked whatsapp, exception, has_password, version",
          tag="dashboard", query=users.QUERY, replies={200: PAGED}),
    Route("GET", "/api/users/completeness", users.completeness, READERS,
          "Active staff per client and unit with Instagram, TikTok and WhatsApp counted",
          tag="dashboard", query=users.COMPLETENESS_QUERY,
          replies={200: Reply("per unit", s.ok({"type": "array", "items": {"type": "object"}}))}),
    Route("POST", "/api/users", users.create_user, READERS,
          "Add a person to a client in scope (the operator menu's rules)", tag="dashboard",
          body=bodies.schema(users.CREATE_FIELDS),
          replies={201: PERSON, 403: ERR, 404: ERR, 409: ERR, 422: ERR}),
    Route("PATCH", USER, users.patch_user, READERS,
          "Edit a person with the menus' validators; If-Match: the version", tag="dashboard",
          body=bodies.schema(users.EDIT_FIELDS), replies=EDIT),
    Route("PUT", f"{USER}/roles", users.put_roles, READERS,
          "Replace a person's roles (those the account may give); If-Match", tag="dashboard",
          body=bodies.schema(users.ROLE_FIELDS), replies=EDIT),
    Route("POST", f"{USER}/password-link", users.password_link, READERS,
          "Send the 'Password aplikasi' link to the person's bound number (outbox)",
          tag="dashboard", body=bodies.schema(users.NO_FIELDS),
          replies={200: Reply("queued", s.ok({"type": "object"})), 404: ERR, 422: ERR,
                   429: Reply("one sent a minute ago (Retry-After)", s.ERROR)}),
    Route("GET", "/api/exports/users.xlsx", users.users_xlsx, READERS,
          "The directory as Excel (the view's filters)", tag="dashboard", query=users.QUERY,
          replies={200: Reply("the workbook", media=XLSX)}),
    Route("POST", "/api/imports", imports.preview, READERS,
          "Upload a staff file (.xlsx/.csv): its preview, nothing written", tag="dashboard",
          query=imports.QUERY, upload=True,
          replies={201: REPORT, 403: ERR, 404: ERR, 413: ERR,
                   422: Reply("not a readable .xlsx/.csv, header or row count", s.ERROR)}),
    Route("POST", "/api/imports/{import_id}/confirm", imports.confirm, READERS,
          "Apply a preview (one transaction, audited)", tag="dashboard",
          body=bodies.schema(users.NO_FIELDS),
          replies={200: REPORT, 404: ERR,
                   409: Reply("applied already, expired, or the data changed", s.ERROR)}),
    Route("GET", "/admin/audit", audit.audit_page, ADMIN, "The audit log, newest first",
          tag="pages", page=True, query=audit.QUERY,
          replies={200: PAGE, 303: SIGN_IN, 400: Reply("a query word out of range", media="text/html")}),
    Route("GET", "/api/admin/audit", audit.audit_json, ADMIN,
          "The audit log: keyset pages (cursor)", tag="admin", query=audit.QUERY,
          replies={200: KEYSET}),
)  # fmt: skip
