"""Lineup (cicero.domain.delivery.lineup): what `due` would answer as rows go, from one fetch. The
property test against the drain asking `due` every time is in test_send_window.py."""

from cicero.domain.delivery.lineup import Lineup, Queued


def row(row_id: int, recipient: str, priority: int = 1, due: bool = True) -> Queued:
    return Queued(row_id, priority, recipient, 1, due)


def ids(lineup: Lineup, limit: int = 10) -> tuple[list[int], bool] | None:
    answer = lineup.due(limit)
    return None if answer is None else ([r.id for r in answer[0]], answer[1])


def test_a_recipients_next_row_steps_up_in_send_order():
    lineup = Lineup.fetched([row(1, "a"), row(2, "b")], 10, [row(3, "a")], {"a": 1})
    assert ids(lineup) == ([1, 2], True)
    assert ids(lineup.after(row(1, "a"))) == ([2, 3], True)


def test_priority_goes_before_id():
    lineup = Lineup.fetched([row(1, "a"), row(2, "b")], 10, [row(3, "a", priority=0)], {"a": 1})
    assert ids(lineup.after(row(1, "a"))) == ([3, 2], True)


def test_a_row_not_yet_due_ends_its_recipients_chain():
    behind = [row(3, "a", due=False), row(4, "a")]
    lineup = Lineup.fetched([row(1, "a"), row(2, "b")], 10, behind, {"a": 2})
    assert ids(lineup.after(row(1, "a"))) == ([2], True)  # row 4 waits behind row 3


def test_a_row_not_fetched_stepping_up_leaves_it_unable_to_tell():
    lineup = Lineup.fetched([row(1, "a"), row(2, "b")], 10, [row(3, "a")], {"a": 2})
    after_3 = lineup.after(row(1, "a")).after(row(3, "a"))  # the row after 3 was not fetched
    assert ids(after_3) is None


def test_with_the_answer_cut_by_its_limit_rows_after_the_last_fetched_wait():
    lineup = Lineup.fetched([row(1, "a"), row(2, "b")], 2, [row(5, "a")], {"a": 1})
    assert ids(lineup, 2) == ([1, 2], True)
    # Row 5 sorts after row 2, the last fetched: heads not fetched (3, 4?) may come first.
    assert ids(lineup.after(row(1, "a")), 2) == ([2], False)
