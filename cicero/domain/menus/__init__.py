"""WhatsApp menus as a pure machine: `handle(state, event) -> (state, effects)`.

See `model` for the facts, events and effects, `dispatch` for the routing order, one module
per machine (`selfservice`, `operator`, `directorate`, `complaint_flow`).
"""

from cicero.domain.menus.dispatch import handle
from cicero.domain.menus.model import ChatState, MenuMisuse

__all__ = ["ChatState", "MenuMisuse", "handle"]
