"""A job split into parts: one combined outcome once every part has reported."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime.job_parts import (
    Gathering,
    PartOutcome,
    combine,
    is_part_key,
    ledger_key,
    parts_out,
)
from cicero.jobs.registry import JobHandler, Registry

STATUSES = st.sampled_from(["done", "failed", "skipped"])
PARTS = ("instagram", "tiktok")


def test_a_part_has_its_own_ledger_key_and_a_plain_job_keeps_its_own() -> None:
    assert ledger_key("ingest_social", "tiktok") == "ingest_social/tiktok"
    assert ledger_key("housekeeping", "") == "housekeeping"
    assert is_part_key("ingest_social/tiktok") and not is_part_key("housekeeping")


@given(st.lists(STATUSES, min_size=1, max_size=4))
def test_any_failure_fails_the_job_and_only_all_skipped_skips_it(statuses: list[str]) -> None:
    outcomes = {f"p{i}": PartOutcome(s, f"r{i}") for i, s in enumerate(statuses)}
    combined = combine(outcomes)
    if "failed" in statuses:
        assert combined.status == "failed"
    elif set(statuses) == {"skipped"}:
        assert combined.status == "skipped"
    else:
        assert combined.status == "done"
    assert combined.reason == "; ".join(f"p{i}: r{i}" for i in range(len(statuses)))


def test_an_empty_reason_shows_the_status() -> None:
    combined = combine({"instagram": PartOutcome("done"), "tiktok": PartOutcome("skipped")})
    assert combined == PartOutcome("done", "instagram: done; tiktok: skipped")


@given(st.permutations(PARTS), STATUSES, STATUSES)
def test_the_outcome_comes_with_the_last_part_whatever_the_order(
    order: list[str], first: str, second: str
) -> None:
    gathering = Gathering(PARTS)
    given_status = dict(zip(order, (first, second), strict=True))
    assert gathering.add(order[0], PartOutcome(given_status[order[0]])) is None
    combined = gathering.add(order[1], PartOutcome(given_status[order[1]]))
    assert combined is not None
    # The reason lists the parts in their declared order, not in arrival order.
    assert combined.reason.split("; ")[0].startswith("instagram:")


def test_stray_and_repeated_reports_change_nothing() -> None:
    gathering = Gathering(PARTS)
    assert gathering.add("facebook", PartOutcome("done")) is None
    assert gathering.add("instagram", PartOutcome("done")) is None
    assert gathering.add("instagram", PartOutcome("failed")) is None
    assert gathering.received == {"instagram": PartOutcome("done")}
    assert gathering.add("tiktok", PartOutcome("done")) == PartOutcome(
        "done", "instagram: done; tiktok: done"
    )


async def _nothing(ctx: object) -> None:
    return None


def test_the_registry_keeps_each_part_and_its_actor() -> None:
    registry = Registry(
        [
            JobHandler("ingest", _nothing, "ingestor:instagram", "instagram"),
            JobHandler("ingest", _nothing, "ingestor:tiktok", "tiktok"),
            JobHandler("housekeeping", _nothing),
        ]
    )
    assert [h.actor for h in registry.parts("ingest")] == ["ingestor:instagram", "ingestor:tiktok"]
    assert registry.get("ingest", "tiktok") is not None and registry.get("ingest") is None
    assert registry.actors() == ("ingestor:instagram", "ingestor:tiktok", "worker")
    assert registry.keys() == {"ingest", "housekeeping"}


@pytest.mark.parametrize("parts", [("", ""), ("a", "a"), ("a", "")])
def test_several_handlers_for_one_job_need_distinct_named_parts(parts: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="distinct, named parts"):
        Registry(
            [JobHandler("j", _nothing, part=parts[0]), JobHandler("j", _nothing, part=parts[1])]
        )


def test_parts_out_are_those_neither_answered_nor_crashed() -> None:
    # The clock tells the simulation driver an instant is over only when no part is out: a
    # run one part of which crashed leaves `running`, and the other part may still be at work.
    gathering = Gathering(PARTS)
    assert parts_out(gathering) == set(PARTS)
    gathering.crashed.add(PARTS[0])
    assert parts_out(gathering) == {PARTS[1]}
    gathering.add(PARTS[1], PartOutcome("done", "ok"))
    assert parts_out(gathering) == set()
