"""The ingestor's bounded fan-out over a client's posts."""

from __future__ import annotations

import asyncio

import pytest

from cicero.jobs.ingest import _at_most


def test_results_come_in_call_order_and_at_most_limit_run_at_once() -> None:
    running, peak = 0, 0

    def call(n: int):  # type: ignore[no-untyped-def]
        async def go() -> int:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.001 * (10 - n))  # later calls finish first
            running -= 1
            return n

        return go

    assert asyncio.run(_at_most(3, [call(n) for n in range(10)])) == list(range(10))
    assert peak == 3


def test_the_first_error_is_raised_as_itself_and_ends_the_others() -> None:
    finished: list[int] = []

    async def slow() -> None:
        await asyncio.sleep(5)
        finished.append(1)

    async def broken() -> None:
        raise ValueError("bad page")

    with pytest.raises(ValueError, match="bad page"):
        asyncio.run(_at_most(2, [slow, broken]))
    assert finished == []
