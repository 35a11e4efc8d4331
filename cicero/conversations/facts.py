"""Load, for one incoming message, the plain facts the menu machine decides on."""

from __future__ import annotations

import asyncpg

from cicero.config import Settings
from cicero.config.schema import parse_duration
from cicero.domain.menus.model import ClientInfo, Context, MenuConfig, Session, StaffView
from cicero.domain.people.phones import JidError, normalize_phone
from cicero.domain.people.roles import ClientRow, DirectorateAccount, Facts, Identity, Role, resolve


def sender_phone(raw: str) -> str | None:
    try:
        return normalize_phone(raw)
    except JidError:
        return None  # a LID we cannot map, or garbage: treated as an unknown number


async def load_context(
    conn: asyncpg.Connection,
    settings: Settings,
    session: str,
    sender: str,
    chat: str,
    is_group: bool,
) -> Context:
    phone = sender_phone(sender)
    identity = resolve(await _facts(conn, settings, phone))
    group_clients = None
    if is_group:
        rows = await conn.fetch(
            "SELECT client_id FROM client WHERE group_jid = $1 AND active", chat
        )
        group_clients = frozenset(r["client_id"] for r in rows)
    return Context(
        identity=identity,
        session=_session(session),
        group_clients=group_clients,
        clients=await _clients(conn, identity),
        me=await staff_view(conn, identity.staff_nrp) if identity.staff_nrp else None,
        config=menu_config(settings),
    )


def menu_config(settings: Settings) -> MenuConfig:
    menus = settings.config.menus
    return MenuConfig(
        idle_timeout=parse_duration(menus.idle_timeout),
        user_session_number=menus.user_session_number,
        claim_link=menus.claim_link,
        web_url=settings.config.web.public_url,
    )


def _session(name: str) -> Session:
    try:
        return Session(name)
    except ValueError:
        return Session.OPERATOR


async def _facts(conn: asyncpg.Connection, settings: Settings, phone: str | None) -> Facts:
    if phone is None:
        return Facts(phone=None, admin_numbers=frozenset(settings.admin_numbers))
    clients = await conn.fetch(
        """SELECT client_id, operator_wa, super_wa, active FROM client
           WHERE operator_wa = $1 OR $1 = ANY(super_wa)""",
        phone,
    )
    accounts = await conn.fetch(
        """SELECT d.role_name, d.extra_client_ids, d.active, d.name,
                  coalesce(array_agg(cd.client_id) FILTER (WHERE cd.client_id IS NOT NULL), '{}') AS satkers
           FROM directorate_user d
           LEFT JOIN client_directorate cd ON cd.directorate_id = upper(d.role_name)
           WHERE d.whatsapp = $1 GROUP BY d.whatsapp, d.role_name""",
        phone,
    )
    staff = await conn.fetchrow("SELECT nrp, active FROM staff WHERE whatsapp = $1", phone)
    return Facts(
        phone=phone,
        admin_numbers=frozenset(settings.admin_numbers),
        clients=tuple(
            ClientRow(r["client_id"], r["operator_wa"], tuple(r["super_wa"]), r["active"])
            for r in clients
        ),
        directorate_accounts=tuple(
            DirectorateAccount(
                r["role_name"],
                tuple(r["satkers"]),
                tuple(r["extra_client_ids"]),
                r["active"],
                r["name"],
            )
            for r in accounts
        ),
        staff_nrp=staff["nrp"] if staff else None,
        staff_active=bool(staff and staff["active"]),
    )


async def _clients(conn: asyncpg.Connection, identity: Identity) -> tuple[ClientInfo, ...]:
    """Every client the sender's scopes may name (all active ones for an admin)."""
    if Role.ADMIN in identity.roles:
        rows = await conn.fetch("SELECT * FROM client WHERE active ORDER BY client_id")
    else:
        ids = list(identity.org_clients | identity.directorate_clients)
        staff_client = await conn.fetchval(
            "SELECT client_id FROM staff WHERE nrp = $1", identity.staff_nrp
        )
        if staff_client:
            ids.append(staff_client)
        rows = await conn.fetch(
            "SELECT * FROM client WHERE client_id = ANY($1) ORDER BY client_id", ids
        )
    units = await _units(conn, [r["client_id"] for r in rows])
    return tuple(
        ClientInfo(
            r["client_id"],
            r["name"],
            r["type"],
            r["instagram_enabled"],
            r["tiktok_enabled"],
            r["amplify_enabled"],
            units.get(r["client_id"], ()),
        )
        for r in rows
    )


async def _units(conn: asyncpg.Connection, client_ids: list[str]) -> dict[str, tuple[str, ...]]:
    rows = await conn.fetch(
        """SELECT client_id, array_agg(DISTINCT unit ORDER BY unit) AS units FROM staff
           WHERE client_id = ANY($1) AND unit <> '' GROUP BY client_id""",
        client_ids,
    )
    return {r["client_id"]: tuple(r["units"]) for r in rows}


async def staff_view(conn: asyncpg.Connection, nrp: str) -> StaffView | None:
    row = await conn.fetchrow(
        """SELECT s.*, c.name AS client_name,
                  coalesce(array_agg(r.role_name ORDER BY r.role_name)
                           FILTER (WHERE r.role_name IS NOT NULL), '{}') AS roles
           FROM staff s JOIN client c ON c.client_id = s.client_id
           LEFT JOIN staff_role r ON r.nrp = s.nrp
           WHERE s.nrp = $1 GROUP BY s.nrp, c.name""",
        nrp,
    )
    if row is None:
        return None
    units = await _units(conn, [row["client_id"]])
    return StaffView(
        nrp=row["nrp"],
        name=row["name"],
        rank=row["rank"],
        unit=row["unit"],
        position=row["position"],
        village=row["village"] or "",
        client_id=row["client_id"],
        client_name=row["client_name"],
        instagram=row["instagram"],
        tiktok=row["tiktok"],
        whatsapp=row["whatsapp"],
        email=row["email"],
        active=row["active"],
        exception=row["exception"],
        roles=tuple(row["roles"]),
        units=units.get(row["client_id"], ()),
    )
