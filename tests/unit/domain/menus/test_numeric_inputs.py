"""Every step of every menu that a few ordinary answers reach, given absurd numbers.

A menu step that reads a number once met a WhatsApp text of 5,000 digits with Python's
`int()` (which refuses more than 4,300) and took the router down. The walk below opens
each menu as each role, follows ordinary answers breadth-first to every step it can
reach, and at each step sends the hostile numbers: each must get an ordinary answer
(or silence), never an exception, and leave a state that survives JSON.
"""

from __future__ import annotations

import copy
from collections import Counter, deque
from dataclasses import dataclass

from cicero.domain.menus.model import REPLY_LIMIT, Session
from tests.unit.domain.menus.world import ADMIN, DIRLANTAS, MULTI, OPERATOR, T0, World

HOSTILE_NUMBERS = (
    "9" * 5000,  # past int()'s 4,300-digit limit
    "1" + "0" * 4400,
    "4" * 4300,
    "99999999999999999999999999",  # fits int(), not any list
    str(2**64),
    "-1", "+1", "0", "00000000001", "1e999", "1.5", "0x1f", "1_000", "1 2",
    "²", "٣", "⑦", "１２", "𝟙",  # digits int() rejects or reads in another script
    " 7 ", "7\n" * 3, "٣" * 5000,
)  # fmt: skip
ORDINARY = (
    *(str(n) for n in range(1, 17)), "22", "30", "34",
    "ya", "tidak", "0", "back", "89050123", "89050124", "77770000", "SUKAMAJU", "ANDI",
    "BRIPTU", "SAT BINMAS", "BA", "@andi.pratama_", "081234567890", "andi@example.com",
    "123456", "operator",
    "Permohonan Penghapusan Data Personil – POLRES SUKAMAJU\n1. ANDI – 89050123 – mutasi",
    "Pesan Komplain\nNRP: 89050123\nKendala\n- sudah melaksanakan like ig tapi belum terdata",
)  # fmt: skip
OPENERS = (
    (ADMIN, ("oprrequest", "dirrequest", "dashrequest", "clientrequest", "userrequest", "wabot")),
    (OPERATOR, ("oprrequest", "userrequest")),
    (DIRLANTAS, ("dirrequest", "dashrequest", "userrequest")),
    (MULTI, ("dirrequest", "dashrequest")),
    ("6281234500011", ("userrequest", "89050124")),  # unknown: binds by NRP
)
MAX_DEPTH = 7
VISITS_PER_STEP = 3  # walks on from a step reached with this many different data


@dataclass
class Chat:
    world: World
    sender: str
    path: tuple[str, ...]

    def send(self, text: str) -> str | None:
        return self.world.send(self.sender, text, T0, Session.OPERATOR, None, self.sender)


def reachable_steps() -> dict[tuple[str, str], Chat]:
    """The first chat found at each (menu, step), breadth-first from every opener. A step
    reached again with other data (the operator's NRP prompt for adding or for editing)
    is walked on from too."""
    found: dict[tuple[str, str], Chat] = {}
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    visits: Counter[tuple[str, str]] = Counter()
    queue: deque[Chat] = deque()
    for sender, keywords in OPENERS:
        for keyword in keywords:
            chat = Chat(World(), sender, (keyword,))
            chat.send(keyword)
            queue.append(chat)
    while queue:
        chat = queue.popleft()
        flow = chat.world.states[Session.OPERATOR, chat.sender].flow
        if flow is None:
            continue
        node = (str(flow.machine), flow.step, flow.data)
        if node in seen or visits[node[:2]] >= VISITS_PER_STEP:
            continue
        seen.add(node)
        visits[node[:2]] += 1
        found.setdefault(node[:2], chat)
        if len(chat.path) >= MAX_DEPTH:
            continue
        for answer in ORDINARY:
            nxt = Chat(copy.deepcopy(chat.world), chat.sender, (*chat.path, answer))
            nxt.send(answer)
            queue.append(nxt)
    return found


def test_the_walk_reaches_the_steps_that_read_numbers() -> None:
    steps = reachable_steps()
    machines = {machine for machine, _ in steps}
    assert len(machines) >= 5, sorted(machines)
    assert len(steps) >= 40, sorted(steps)


def test_no_step_fails_on_an_absurd_number() -> None:
    failures = []
    for (machine, step), chat in sorted(reachable_steps().items()):
        for text in HOSTILE_NUMBERS:
            probe = Chat(copy.deepcopy(chat.world), chat.sender, chat.path)
            try:
                reply = probe.send(text)
            except Exception as err:  # collected: the message names every failing step
                failures.append(
                    f"{machine}/{step} after {chat.path}: {text[:12]!r}… → {err!r}"[:300]
                )
                continue
            assert reply is None or (reply.strip() and len(reply) <= REPLY_LIMIT)
    assert not failures, "\n".join(failures)
