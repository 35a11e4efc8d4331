import pytest

from cicero.domain.ingestion.retry import RetryPolicy, parse_retry_after, retry_delay

POLICY = RetryPolicy()


@pytest.mark.parametrize(
    ("failures", "retry_after", "jitter", "expected"),
    [
        (1, None, 0.0, 1.0),
        (2, None, 0.3, 2.3),
        (5, None, 0.0, 2.0),  # past the table: the last delay
        (1, "7", 0.4, 7.0),  # Retry-After wins, no jitter
        (1, "600", 0.0, 60.0),  # capped
        (1, "Wed, 21 Oct 2015 07:28:00 GMT", 0.1, 1.1),  # a date falls back to the table
        (1, "-3", 0.0, 1.0),
    ],
)
def test_retry_delay(failures, retry_after, jitter, expected):
    assert retry_delay(POLICY, failures, retry_after, jitter) == pytest.approx(expected)


def test_parse_retry_after():
    assert parse_retry_after(" 2 ") == 2.0
    assert parse_retry_after("nan") is None and parse_retry_after(None) is None
