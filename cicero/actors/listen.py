"""Every socket of the actor system listens on one chosen address (DESIGN §8).

Thespian 4.0.1's TCP transport binds every actor, the admin and the logger to all
interfaces: an address meant to be reached by others binds as `('', port)`
(thespian/system/transport/IPBase.py, `IPActorAddress.bindname`), and
`THESPIAN_BASE_IPADDR` changes only the address it tells others. Its ports carry
pickles with no authentication, so that is a door to running code in Cicero.

`confine(host)` sets that variable (so the address told and the address bound are
the same) and makes the one place that picks the bind address use `host` instead of
all interfaces. Call it before the actor system starts: the processes it forks
inherit both, and nothing else of Thespian changes.
"""

from __future__ import annotations

import os
from typing import Any

from thespian.system.transport.IPBase import IPActorAddress, thisSystem

BASE_ADDRESS_ENV = "THESPIAN_BASE_IPADDR"
ALL_INTERFACES = ("", "0.0.0.0")

_thespian_init = IPActorAddress.__init__


def _bind_where_told(self: IPActorAddress, *args: Any, **kwargs: Any) -> None:
    _thespian_init(self, *args, **kwargs)
    host = os.environ.get(BASE_ADDRESS_ENV)
    if host and self.bindname[0] in ALL_INTERFACES:
        self.bindname = (host, self.bindname[1])


def confine(host: str) -> None:
    """From now on (and in every process forked after), actor sockets listen on `host` only."""
    os.environ[BASE_ADDRESS_ENV] = host
    thisSystem.add_local_addr(host)  # read at Thespian's import: may predate this call
    IPActorAddress.__init__ = _bind_where_told
