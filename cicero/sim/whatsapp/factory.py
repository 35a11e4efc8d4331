"""The simulated network as the bootstrap hands it to a session actor: a value that travels in
the actor's start message and builds, in the actor's own process, a `SimulatedTransport`
whose network keeps its memory in PostgreSQL (cicero.sim.whatsapp.store)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cicero.sim.whatsapp.store import DbDeliveryLog, apply_line, load_line
from cicero.sim.whatsapp.transport import SimulatedNetwork, SimulatedTransport
from cicero.whatsapp.transport import TransportHost

# The simulated sessions' own numbers, the i-th configured session's: out of the range the
# scenarios give their people (6281100000001…).
PHONES_FROM = 6281100000900


def simulated_phone(index: int) -> str:
    return str(PHONES_FROM + index)


@dataclass(frozen=True)
class SimulatedFactory:
    phone: str = simulated_phone(0)
    seed: int = 0  # codes and generated message ids (the scenario's seed)
    initial: str = "ready"  # the line's state when the driver stored none
    kind: str = "simulator"

    def build(self, host: TransportHost) -> SimulatedTransport:
        log = DbDeliveryLog(host.run, host.db, host.session)
        transport = SimulatedTransport(
            host.session,
            SimulatedNetwork(log=log),
            self.phone,
            host.now,
            seed=self.seed,
            initial=self.initial,
        )

        async def stored() -> Any:
            return await host.db(load_line, host.session)

        apply_line(transport.line, host.run(stored()))
        return transport
