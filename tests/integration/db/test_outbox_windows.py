"""The statements of a send window (issue 5) on the real outbox table: claim many rows
`sending` at once, store the accepted ones `sent` at once, and give back the unsent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta

import asyncpg
import pytest

from cicero.db import outbox
from cicero.db.connect import connect
from cicero.domain.delivery.outbox import message_id_for, outbox_key
from cicero.domain.timezone import WIB

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


@pytest.fixture
def db(pg_server) -> Iterator[tuple[asyncio.AbstractEventLoop, asyncpg.Connection]]:  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(connect(fresh_database(pg_server)))
    yield loop, conn
    loop.run_until_complete(conn.close())
    loop.close()


def queue(loop: asyncio.AbstractEventLoop, conn: asyncpg.Connection, n: int) -> list[int]:
    rows = [
        outbox.NewMessage(
            outbox_key("window", T0, f"62812{i:08d}"), "gateway", f"62812{i:08d}", "reminder", "x"
        )
        for i in range(n)
    ]
    loop.run_until_complete(outbox.enqueue(conn, rows, T0))
    return [
        r["id"] for r in loop.run_until_complete(conn.fetch("SELECT id FROM outbox ORDER BY id"))
    ]


def table(loop: asyncio.AbstractEventLoop, conn: asyncpg.Connection) -> dict[int, tuple]:
    rows = loop.run_until_complete(
        conn.fetch("SELECT id, status, attempts, wa_message_id, sent_at FROM outbox")
    )
    return {r["id"]: (r["status"], r["attempts"], r["wa_message_id"], r["sent_at"]) for r in rows}


def test_a_window_is_claimed_in_one_statement_and_only_pending_rows_are_taken(db) -> None:  # type: ignore[no-untyped-def]
    loop, conn = db
    ids = queue(loop, conn, 4)
    loop.run_until_complete(conn.execute("UPDATE outbox SET status = 'sent' WHERE id = $1", ids[1]))
    claims = [(i, f"3EB0{i:016X}") for i in ids]
    claimed = loop.run_until_complete(outbox.mark_sending_many(conn, claims))
    assert claimed == {ids[0], ids[2], ids[3]}
    rows = table(loop, conn)
    for i in claimed:
        assert rows[i][:3] == ("sending", 1, f"3EB0{i:016X}")
    assert rows[ids[1]][:2] == ("sent", 0)
    # A second claim of the same rows finds nothing pending: nobody sends them twice.
    assert loop.run_until_complete(outbox.mark_sending_many(conn, claims)) == set()


def test_the_accepted_rows_of_a_window_are_stored_sent_with_their_ids_and_times(db) -> None:  # type: ignore[no-untyped-def]
    loop, conn = db
    ids = queue(loop, conn, 3)
    loop.run_until_complete(
        outbox.mark_sending_many(conn, [(i, message_id_for(str(i))) for i in ids])
    )
    sent = [
        (ids[0], "3EB0AAAAAAAAAAAAAAAA", T0),
        (ids[2], "3EB0CCCCCCCCCCCCCCCC", T0 + timedelta(seconds=1)),
    ]
    loop.run_until_complete(outbox.mark_sent_many(conn, sent))
    loop.run_until_complete(outbox.mark_sent_many(conn, []))  # an empty window writes nothing
    rows = table(loop, conn)
    assert rows[ids[0]] == ("sent", 1, "3EB0AAAAAAAAAAAAAAAA", T0)
    assert rows[ids[2]] == ("sent", 1, "3EB0CCCCCCCCCCCCCCCC", T0 + timedelta(seconds=1))
    assert rows[ids[1]][0] == "sending"


def test_rows_claimed_but_never_sent_go_back_to_pending_without_an_attempt(db) -> None:  # type: ignore[no-untyped-def]
    loop, conn = db
    ids = queue(loop, conn, 3)
    loop.run_until_complete(outbox.mark_sending_many(conn, [(i, f"id{i}") for i in ids]))
    loop.run_until_complete(outbox.mark_sent_many(conn, [(ids[0], f"id{ids[0]}", T0)]))
    loop.run_until_complete(outbox.release_unsent(conn, ids))  # the sent one is left alone
    rows = table(loop, conn)
    assert rows[ids[0]][:3] == ("sent", 1, f"id{ids[0]}")
    assert [rows[i][:3] for i in ids[1:]] == [("pending", 0, None), ("pending", 0, None)]
    due = loop.run_until_complete(outbox.due(conn, "gateway", T0, 10))
    assert [r.id for r in due] == ids[1:]


def test_a_row_tried_before_keeps_its_message_id_when_a_claim_is_released(db) -> None:  # type: ignore[no-untyped-def]
    loop, conn = db
    (row_id,) = queue(loop, conn, 1)
    loop.run_until_complete(outbox.mark_sending_many(conn, [(row_id, "3EB0AAAA")]))
    loop.run_until_complete(outbox.mark_retry(conn, row_id, T0, "refused"))  # tried once
    loop.run_until_complete(outbox.mark_sending_many(conn, [(row_id, "3EB0AAAA")]))
    loop.run_until_complete(outbox.release_unsent(conn, [row_id]))  # its turn never came
    assert table(loop, conn)[row_id][:3] == ("pending", 1, "3EB0AAAA")


def test_what_a_paced_window_fetches_behind_the_rows_in_line(db) -> None:  # type: ignore[no-untyped-def]
    loop, conn = db
    later, expiry = T0 + timedelta(minutes=5), T0 + timedelta(minutes=3)
    rows = [
        outbox.NewMessage(outbox_key("paced", T0, recipient, part), "gateway", recipient,
                          "reminder", "x", not_before=later if part == 3 else None,
                          expires_at=expiry if recipient == "62812000000" else None)
        for recipient, parts in (("62811000000", 3), ("62812000000", 2), ("62813000000", 1))
        for part in range(1, parts + 1)
    ]  # fmt: skip
    loop.run_until_complete(outbox.enqueue(conn, rows, T0))
    heads = loop.run_until_complete(outbox.due(conn, "gateway", T0, 10))
    assert [(r.recipient, r.key.endswith("|1")) for r in heads] == [
        ("62811000000", True), ("62812000000", True), ("62813000000", True)
    ]  # fmt: skip
    behind = loop.run_until_complete(outbox.behind(conn, "gateway", T0, heads, 10))
    assert [(r.recipient, r.key[-2:], due) for r, due in behind] == [
        ("62811000000", "|2", True), ("62811000000", "|3", False), ("62812000000", "|2", True)
    ]  # fmt: skip
    assert len(loop.run_until_complete(outbox.behind(conn, "gateway", T0, heads, 2))) == 2
    limits = loop.run_until_complete(outbox.pace_limits(conn, "gateway", T0, heads))
    assert limits.changes_at == expiry  # before the third part comes due
    assert limits.waiting == {"62811000000": 2, "62812000000": 1}


def test_a_secret_in_a_body_is_gone_once_the_row_is_settled(db) -> None:  # type: ignore[no-untyped-def]
    """A one-time link or code (`body_after`) stays readable while the row may still be sent
    (pending, in_doubt: ops may send it again) and is replaced by the database when the row
    is sent or dead, whichever statement settles it."""
    loop, conn = db
    rows = [
        outbox.NewMessage(
            outbox_key("link", T0, f"62812{i:08d}"),
            "operator",
            f"62812{i:08d}",
            "operator_direct",
            f"link ?t=SECRET{i}",
            body_after="link ?t=••••••",
        )
        for i in range(4)
    ] + [
        outbox.NewMessage(outbox_key("plain", T0, "628120"), "operator", "628120", "reminder", "x")
    ]
    loop.run_until_complete(outbox.enqueue(conn, rows, T0))
    ids = [
        r["id"] for r in loop.run_until_complete(conn.fetch("SELECT id FROM outbox ORDER BY id"))
    ]

    def body(row_id: int) -> str:
        return str(
            loop.run_until_complete(conn.fetchval("SELECT body FROM outbox WHERE id = $1", row_id))
        )

    loop.run_until_complete(outbox.mark_sending(conn, ids[0], "3EB0A"))
    assert body(ids[0]) == "link ?t=SECRET0"  # sending: may still go out again
    loop.run_until_complete(outbox.mark_sent(conn, ids[0], "3EB0A", T0))
    loop.run_until_complete(outbox.mark_dead(conn, ids[1], "refused"))
    loop.run_until_complete(outbox.mark_in_doubt(conn, ids[2], "stopped during the send"))
    loop.run_until_complete(outbox.mark_sent(conn, ids[4], "3EB0B", T0))
    assert [body(i) for i in ids] == [
        "link ?t=••••••",
        "link ?t=••••••",
        "link ?t=SECRET2",
        "link ?t=SECRET3",
        "x",
    ]
    # an operator's "mark sent" on the in_doubt row settles it too; an expired one as well
    loop.run_until_complete(conn.execute("UPDATE outbox SET status = 'sent' WHERE id = $1", ids[2]))
    loop.run_until_complete(
        conn.execute("UPDATE outbox SET expires_at = $2 WHERE id = $1", ids[3], T0)
    )
    assert loop.run_until_complete(outbox.expire(conn, "operator", T0 + timedelta(seconds=1))) == 1
    assert [body(i) for i in ids[:4]] == ["link ?t=••••••"] * 4
    left = loop.run_until_complete(
        conn.fetchval("SELECT count(*) FROM outbox WHERE body_after IS NOT NULL")
    )
    assert left == 0
