"""Numbers read from text: never an exception, whatever the text."""

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.text.numbers import CHOICE_DIGITS, bounded_int, choice


@given(st.text(), st.integers(1, 30))
def test_any_text_is_a_bounded_number_or_none(text: str, digits: int) -> None:
    value = bounded_int(text, digits)
    t = text.strip()
    if value is None:
        assert not (t and len(t) <= digits and t.isascii() and t.isdigit())
    else:
        assert 0 <= value < 10**digits and str(value) == t.lstrip("0").rjust(1, "0")


@given(st.integers(0, 10**18 - 1), st.sampled_from(["", " ", "\n"]))
def test_numbers_within_the_bound_are_read(n: int, pad: str) -> None:
    assert bounded_int(f"{pad}{n}{pad}", 18) == n


def test_what_int_refuses_or_reads_in_another_script_is_not_a_number() -> None:
    for text in (
        "9" * 5000,
        "1" + "0" * 4400,
        "²",
        "⑦",
        "٣",
        "١٢",
        "１２",
        "-1",
        "+1",
        "1e3",
        "1_0",
    ):
        assert bounded_int(text, 10_000) is None, text


@given(st.text(max_size=8) | st.integers(-5, 2000).map(str), st.integers(0, 50))
def test_a_choice_is_within_its_list(text: str, count: int) -> None:
    picked = choice(text, count)
    assert picked is None or 1 <= picked <= count
    if text.isascii() and text.isdigit() and len(text) <= CHOICE_DIGITS and 1 <= int(text) <= count:
        assert picked == int(text)
