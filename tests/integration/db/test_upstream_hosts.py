"""`upstream_host` on a real PostgreSQL: the stored merge is the domain's merge."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.db.connect import connect
from cicero.db.upstream_hosts import load_hosts, save_host
from cicero.domain.ingestion.limits import HostState, merged
from cicero.domain.timezone import WIB

T0 = datetime(2026, 2, 6, 10, 0, tzinfo=WIB)
DAY = date(2026, 2, 6)

instants = st.integers(0, 3 * 86400).map(lambda n: T0 + timedelta(seconds=n)) | st.none()
states = st.builds(
    lambda day, calls, saved, pause, ok, err, text: HostState(
        calls_day=None if day is None else DAY + timedelta(days=day),
        calls=0 if day is None else calls,
        saved=0 if day is None else saved,
        paused_until=pause,
        last_success_at=ok,
        last_error_at=err,
        last_error=None if err is None else text,
    ),
    st.integers(0, 2) | st.none(),
    st.integers(0, 50),
    st.integers(0, 500),
    instants,
    instants,
    instants,
    st.sampled_from(["server: x", "timeout: y", "auth: z", "server: é"]),
)


@settings(max_examples=40, deadline=None)
@given(first=states, second=states)
def test_two_writes_in_either_order_store_the_merge(database_url: str, first, second) -> None:
    async def go() -> tuple[HostState, HostState, HostState]:
        conn = await connect(database_url)
        try:
            async with conn.transaction():
                stored = []
                for a, b in ((first, second), (second, first)):
                    await conn.execute("DELETE FROM upstream_host")
                    await save_host(conn, "tiktok", "h", a, None, T0)
                    returned = await save_host(conn, "tiktok", "h", b, 5, T0)
                    stored.append(returned)
                loaded = (await load_hosts(conn))["tiktok"]
                raise _Rollback(stored[0], stored[1], loaded.state)
        except _Rollback as done:
            return done.args
        finally:
            await conn.close()

    one_way, other_way, loaded = asyncio.run(go())
    expected = merged(first, second)
    assert one_way == other_way == loaded == expected  # aware datetimes compare instants


def test_a_row_keeps_its_host_and_budget(database_url: str) -> None:
    async def go():
        conn = await connect(database_url)
        try:
            state = HostState(calls_day=DAY, calls=7, last_success_at=T0)
            await save_host(conn, "instagram", "social-api4.p.rapidapi.com", state, 500, T0)
            return await load_hosts(conn)
        finally:
            await conn.close()

    row = asyncio.run(go())["instagram"]
    assert row.host == "social-api4.p.rapidapi.com" and row.daily_budget == 500
    assert row.state.calls == 7 and row.state.calls_day == DAY


class _Rollback(Exception):
    """Leaves the table as it was: each example runs in a transaction rolled back."""
