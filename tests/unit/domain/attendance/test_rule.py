from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.attendance.rule import (
    Person,
    Status,
    compute,
    exact_ratio,
    required,
    status,
    summarize,
)

HALF = Fraction(1, 2)


def staff(nrp, handle, *, exception=False, client="POLRES_A", rank="BRIPKA", name="X", pos=""):
    return Person(
        nrp=nrp,
        client=client,
        name=name,
        rank=rank,
        unit="SAT BINMAS",
        position=pos,
        instagram=handle,
        tiktok=handle,
        exception=exception,
    )


# data.md §4.8 A: POLRES_A, Instagram, N = 3 (P0 of 5 Feb already left out by the post set).
A_POSTS = ("P1", "P2", "P3")
A_LIKES = {
    ("P1", "budi.s"),
    ("P1", "citra_01"),
    ("P1", "dedi"),
    ("P2", "budi.s"),
    ("P2", "citra_01"),
    ("P3", "budi.s"),
    ("P0", "gita"),  # a like on the excluded post must not count
}
A_STAFF = (
    staff("75020001", "budi.s"),
    staff("75020002", "citra_01"),
    staff("75020003", "dedi"),
    staff("75020004", None),
    staff("75020005", "fajar", exception=True),
    staff("75020006", "gita"),
)


@pytest.mark.parametrize(
    ("ratio", "expected", "summary"),
    [
        (
            Fraction(1),
            ["sudah", "kurang", "kurang", "tanpa_username", "sudah", "belum"],
            (6, 2, 2, 1, 1),
        ),
        (HALF, ["sudah", "sudah", "kurang", "tanpa_username", "sudah", "belum"], (6, 3, 1, 1, 1)),
    ],
)
def test_worked_example_a(ratio, expected, summary):
    results = compute(A_STAFF, A_POSTS, A_LIKES, "instagram", ratio)
    assert [r.status for r in results] == expected
    assert [r.count for r in results] == [3, 2, 1, 0, 0, 0]
    assert all(r.total == 3 for r in results)
    s = summarize(results)
    assert (s.total, s.sudah, s.kurang, s.belum, s.tanpa_username) == summary
    assert s.not_done == 2


def test_worked_example_b_tiktok_half():
    posts = ("T1", "T2", "T3", "T4")
    comments = {
        ("T1", "rudi"),
        *((p, "andi.bm") for p in posts),
        ("T2", "sari"),
        ("T3", "sari"),
        ("T4", "adi"),
        *((p, "zaki") for p in posts[:3]),
    }
    people = (
        staff("1", "rudi", client="DITBINMAS"),
        staff("2", "andi.bm", client="DITBINMAS"),
        staff("3", None, client="DITBINMAS"),
        staff("4", "sari"),
        staff("5", "joko"),
        staff("6", "bayu", exception=True),
        staff("7", "adi", client="POLRES_B"),
        staff("8", "zaki", client="POLRES_B"),
    )
    results = compute(people, posts, comments, "tiktok", HALF)
    assert [r.status.value for r in results] == [
        "kurang",
        "sudah",
        "tanpa_username",
        "sudah",
        "belum",
        "sudah",
        "kurang",
        "sudah",
    ]
    assert [r.count for r in results] == [1, 4, 0, 2, 0, 0, 1, 3]
    s = summarize(results)
    assert (s.total, s.sudah, s.kurang, s.belum, s.tanpa_username) == (8, 4, 2, 1, 1)


def test_platform_picks_the_handle():
    p = Person("1", "C", "N", "AKP", "U", instagram="ig.name", tiktok=None)
    (ig,) = compute([p], ["x"], {("x", "ig.name")}, "instagram")
    (tt,) = compute([p], ["x"], {("x", "ig.name")}, "tiktok")
    assert ig.status is Status.SUDAH and ig.handle == "ig.name"
    assert tt.status is Status.TANPA_USERNAME and tt.count == 0


def test_empty_string_handle_is_no_handle():
    (r,) = compute([staff("1", "")], ["x"], set(), "instagram")
    assert r.status is Status.TANPA_USERNAME


def test_transcript_entry():
    (r,) = compute([staff("75020001", "budi.s")], A_POSTS, A_LIKES, "instagram")
    assert r.transcript() == {
        "nrp": "75020001",
        "client": "POLRES_A",
        "status": "sudah",
        "done": 3,
        "total": 3,
    }


@pytest.mark.parametrize(
    ("n", "ratio", "req"),
    [(0, 1, 1), (1, 1, 1), (3, 1, 3), (3, HALF, 2), (4, HALF, 2), (5, HALF, 3), (3, 0, 1)],
)
def test_required_table(n, ratio, req):
    assert required(n, ratio) == req


def test_ratio_is_exact():
    # Fraction(0.8) is a hair above 4/5, so ceil(5·r) would give 5; 0.8 means 4/5.
    assert required(5, 0.8) == 4
    assert required(5, "0.8") == 4
    assert required(20, Fraction(19, 20)) == 19
    assert exact_ratio(0.5) == HALF


@pytest.mark.parametrize("bad", [-0.1, 1.5, Fraction(3, 2)])
def test_ratio_out_of_range(bad):
    with pytest.raises(ValueError):
        required(3, bad)


def test_status_order_of_rules():
    assert status(0, 0, False, True) is Status.TANPA_USERNAME  # no handle beats exception
    assert status(0, 0, True, True) is Status.SUDAH  # exception beats no posts
    assert status(0, 0, True, False) is Status.NO_POSTS


counts = st.integers(0, 60)
ratios = st.fractions(0, 1, max_denominator=20)


@settings(max_examples=200)
@given(c=counts, extra=st.integers(0, 5), n=st.integers(1, 60), r=ratios)
def test_status_monotone_in_count(c, extra, n, r):
    order = [Status.BELUM, Status.KURANG, Status.SUDAH]
    low, high = status(c, n, True, False, r), status(c + extra, n, True, False, r)
    assert order.index(low) <= order.index(high)


@settings(max_examples=200)
@given(c=counts, n=st.integers(0, 60), r=ratios)
def test_exception_with_handle_is_always_sudah(c, n, r):
    assert status(c, n, True, True, r) is Status.SUDAH
    assert status(c, n, False, True, r) is Status.TANPA_USERNAME


@settings(max_examples=200)
@given(n=st.integers(0, 200), r=ratios)
def test_required_bounds(n, r):
    req = required(n, r)
    assert 1 <= req <= max(1, n)
    assert req >= n * r
    assert req - 1 < max(1, n * r)  # the smallest integer that reaches N·r


@settings(max_examples=200)
@given(n=st.integers(1, 60), r=ratios)
def test_everyone_done_is_sudah_and_nobody_is_belum(n, r):
    assert status(n, n, True, False, r) is Status.SUDAH
    assert status(0, n, True, False, r) is Status.BELUM


@settings(max_examples=100)
@given(
    posts=st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8),
    likes=st.sets(st.tuples(st.sampled_from("abcdefghz"), st.sampled_from(["u1", "u2", "u3"]))),
    r=ratios,
)
def test_compute_counts_only_posts_in_the_set(posts, likes, r):
    people = [staff(str(i), f"u{i}") for i in (1, 2, 3)] + [staff("9", None)]
    results = compute(people, posts, likes, "instagram", r)
    for res in results[:3]:
        assert set(res.done_posts) == {p for p, u in likes if u == res.handle and p in posts}
        assert list(res.done_posts) == [p for p in posts if p in res.done_posts]  # P's order
    assert summarize(results).total == 4
