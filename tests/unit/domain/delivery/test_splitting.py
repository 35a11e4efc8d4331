import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.delivery.splitting import continuation_title, split_message


def strip_titles(parts, title):
    """The original lines back: every part's lines, minus the added continuation titles."""
    lines = parts[0].split("\n")
    for i, part in enumerate(parts[1:], start=2):
        head, *rest = part.split("\n")
        assert head == continuation_title(title, i, len(parts))
        lines += rest
    return lines


def test_short_text_is_one_part():
    assert split_message("a\n\nb", 10) == ["a\n\nb"]


def test_cuts_at_the_blank_line_between_divisions():
    text = "TITLE\n\n*DIV A*\n- a1\n- a2\n\n*DIV B*\n- b1\n- b2"
    parts = split_message(text, 40)
    assert parts == [
        "TITLE\n\n*DIV A*\n- a1\n- a2",
        "TITLE (lanjutan 2/2)\n\n*DIV B*\n- b1\n- b2",
    ]


def test_without_blank_lines_cuts_between_lines():
    text = "T\n" + "\n".join(f"line {i}" for i in range(6))
    parts = split_message(text, 30)
    assert all(len(p) <= 30 for p in parts)
    assert parts[1].startswith("T (lanjutan 2/")
    assert strip_titles(parts, "T") == text.split("\n")


def test_a_line_longer_than_a_part_is_hard_cut():
    text = "T\n" + "x" * 50
    parts = split_message(text, 20)
    assert all(len(p) <= 20 for p in parts)
    assert "".join(strip_titles(parts, "T")) == "T" + "x" * 50


def test_explicit_title_and_too_long_title():
    parts = split_message("Mohon ijin,\n\nREKAP\n\n" + "a\n" * 20, 30, title="REKAP")
    assert parts[1].startswith("REKAP (lanjutan 2/")
    with pytest.raises(ValueError):
        split_message("x" * 50, 20, title="a very long title indeed")


def test_many_parts_get_two_digit_numbers():
    text = "T\n" + "\n".join("abcdefgh" for _ in range(200))
    parts = split_message(text, 40)
    assert len(parts) >= 10
    assert parts[-1].startswith(f"T (lanjutan {len(parts)}/{len(parts)})")
    assert all(len(p) <= 40 for p in parts)


lines = st.lists(
    st.one_of(st.just(""), st.text(alphabet="ab *-", min_size=1, max_size=30)),
    min_size=1,
    max_size=60,
)


# Lines of at most 30 chars always fit a part of >= 60 chars after the continuation title.
@settings(max_examples=150)
@given(body=lines, limit=st.integers(60, 200))
def test_parts_fit_and_give_the_lines_back(body, limit):
    text = "\n".join(["REKAP", *body])
    parts = split_message(text, limit)
    assert all(len(p) <= limit for p in parts)
    if len(parts) == 1:
        assert parts == [text]
    else:
        assert strip_titles(parts, "REKAP") == text.split("\n")


@settings(max_examples=100)
@given(body=lines, limit=st.integers(60, 200))
def test_a_cut_lands_on_a_blank_line_when_one_fits(body, limit):
    text = "\n".join(["REKAP", *body])
    parts = split_message(text, limit)
    content = [parts[0].split("\n")] + [p.split("\n")[1:] for p in parts[1:]]
    for previous, current in itertools.pairwise(content):
        # A part starts at a blank line unless the previous one had none to end before.
        assert not current[0].strip() or all(line.strip() for line in previous[1:])


@settings(max_examples=100)
@given(
    body=st.lists(st.text(alphabet="xyz", min_size=0, max_size=300), min_size=1, max_size=10),
    limit=st.integers(30, 120),
)
def test_long_lines_keep_every_character_in_order(body, limit):
    text = "\n".join(["T", *body])
    parts = split_message(text, limit)
    assert all(len(p) <= limit for p in parts)
    if len(parts) > 1:
        assert "".join(strip_titles(parts, "T")) == text.replace("\n", "")
