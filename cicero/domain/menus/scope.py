"""Which clients a menu may name for this sender: authz decides, the menus only ask."""

from cicero.domain.auth.authz import Menu, reach
from cicero.domain.menus.model import ClientInfo, Context, Flow


def clients_in_scope(ctx: Context, menu: Menu, client_type: str | None) -> tuple[ClientInfo, ...]:
    """Clients of `client_type` (None: any) this sender may pick in `menu`; nothing leaves
    its scope."""
    r = reach(ctx.identity, menu)
    if r is None:
        return ()
    return tuple(
        c for c in ctx.clients if client_type in (None, c.type) and r.covers_client(c.client_id)
    )


def chosen_client(flow: Flow, ctx: Context, menu: Menu, client_type: str | None) -> ClientInfo:
    """The client a flow picked earlier; still in scope, or our own bug."""
    c = next(
        (c for c in clients_in_scope(ctx, menu, client_type) if c.client_id == flow.get("client")),
        None,
    )
    if c is None:
        raise AssertionError(f"{menu} flow past choose_client without a client in scope")
    return c
