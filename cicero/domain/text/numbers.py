"""Numbers read from text a person or a peer sent: bounded by length before conversion.

Python's `int()` refuses a string of more than 4,300 digits with `ValueError`, and
`str.isdigit()` accepts characters `int()` then rejects (`²`, `⑦`) or reads in
another script (`٣`). Every number read from a message, a payload or a file goes
through here, so an absurd one is simply "not a number", never an exception.
"""

from __future__ import annotations

CHOICE_DIGITS = 3  # a menu choice: no list has a thousand entries
COUNT_DIGITS = 18  # counts and epoch milliseconds from upstream fit in 18 digits
INT_DIGITS = 4300  # the most int() converts from text (sys.get_int_max_str_digits' default)


def is_ascii_digits(text: str) -> bool:
    """Only the ten ASCII digits, at least one of them."""
    return text.isascii() and text.isdigit()


def bounded_int(text: str, max_digits: int) -> int | None:
    """`text` (surrounding spaces aside) as a non-negative integer of at most `max_digits`
    digits; None for anything else: empty, signs, other scripts' digits, too long."""
    t = text.strip()
    if not t or len(t) > min(max_digits, INT_DIGITS) or not is_ascii_digits(t):
        return None
    return int(t)


def choice(text: str, count: int) -> int | None:
    """A menu choice 1…`count` typed as a number, or None."""
    n = bounded_int(text, CHOICE_DIGITS)
    return n if n is not None and 1 <= n <= count else None
