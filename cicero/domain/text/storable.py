"""Text from outside (messages, captions, names) as PostgreSQL can store it."""


def storable(text: str) -> str:
    """`text` without NUL characters. PostgreSQL's text and jsonb cannot hold U+0000, and a
    message or caption carrying one (a broken client, JSON's "\\u0000") must not crash the
    actor that stores it. Nothing else changes: the text is kept as it came."""
    return text.replace("\x00", "") if "\x00" in text else text
