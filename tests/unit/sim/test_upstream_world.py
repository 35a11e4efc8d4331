"""The fake upstream's engagers: indexed and remembered per post, same answers as the rule."""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.timezone import WIB
from cicero.sim.upstream.world import FakeEngagement, UpstreamWorld

T0 = datetime(2026, 2, 6, 6, 0, tzinfo=WIB)
POSTS = ("P1", "P2")

rows = st.builds(
    FakeEngagement,
    post=st.sampled_from(POSTS),
    at=st.integers(0, 5).map(lambda m: T0 + timedelta(minutes=30 * m)),
    users=st.lists(st.sampled_from(["budi", "Budi", "citra", "@dedi", "eko"]), max_size=4).map(
        tuple
    ),
)


def expected(world: UpstreamWorld, post: str, now: datetime, distinct: bool) -> list[str]:
    """spec/scenario.md: a row counts from its `at`; names in order of time, then of rows."""
    visible = sorted((e for e in world.engagements if e.post == post and e.at <= now),
                     key=lambda e: e.at)  # fmt: skip
    names = [u for e in visible for u in e.users]
    return list(dict.fromkeys(names)) if distinct else names


@given(
    st.lists(rows, max_size=12),
    st.lists(st.tuples(st.sampled_from((*POSTS, "P9")), st.integers(-1, 6), st.booleans())),
)
def test_engagers_follow_the_rule_whatever_the_order_of_questions(engagements, questions):
    world = UpstreamWorld(engagements=tuple(engagements))
    for post, m, distinct in questions:  # asked again and out of order: the memo must not leak
        now = T0 + timedelta(minutes=30 * m)
        assert list(world.engagers(post, now, distinct=distinct)) == expected(
            world, post, now, distinct
        )


def test_worlds_compare_by_their_data_not_their_memo():
    rows = (FakeEngagement("P1", T0, ("budi",)),)
    asked = UpstreamWorld(engagements=rows)
    asked.engagers("P1", T0, distinct=True)
    assert asked == UpstreamWorld(engagements=rows)
    assert hash(asked) == hash(UpstreamWorld(engagements=rows))
