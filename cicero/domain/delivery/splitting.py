"""Long texts cut below WhatsApp's limit (jobs.md §1 "Long texts, files").

A text over `max_chars` is cut at a blank line between divisions, else between lines; parts
after the first start with the title line plus ` (lanjutan {i}/{n})`. Lines are never lost or
reordered. The one exception is a single line longer than a part can hold: it is hard-cut into
pieces of the largest size that fits, each piece becoming a line of its own.
"""

from __future__ import annotations

DEFAULT_MAX_CHARS = 15_000


def continuation_title(title: str, i: int, n: int) -> str:
    return f"{title} (lanjutan {i}/{n})"


def _title_of(lines: list[str]) -> str:
    return next((line for line in lines if line.strip()), "")


def _hard_cut(lines: list[str], width: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        else:
            out += [line[k : k + width] for k in range(0, len(line), width)]
    return out


def _pack(lines: list[str], first_budget: int, budget: int) -> list[list[str]]:
    """Greedy parts of whole lines; a part that must end early ends before a blank line."""
    parts: list[list[str]] = []
    start = 0
    while start < len(lines):
        room = first_budget if not parts else budget
        end, size = start, -1
        while end < len(lines) and size + 1 + len(lines[end]) <= room:
            size += 1 + len(lines[end])
            end += 1
        if end < len(lines):
            blank = next((k for k in range(end, start, -1) if not lines[k].strip()), None)
            end = blank if blank is not None else end
        parts.append(lines[start:end])
        start = end
    return parts


def split_message(
    text: str, max_chars: int = DEFAULT_MAX_CHARS, title: str | None = None
) -> list[str]:
    """`text` as parts of at most `max_chars`; `title` defaults to the first non-blank line."""
    if len(text) <= max_chars:
        return [text]
    lines = text.split("\n")
    title = _title_of(lines) if title is None else title
    digits = 1
    while True:
        # Reserve room for the widest header with `digits`-digit part numbers, plus its newline.
        header = len(continuation_title(title, 10**digits - 1, 10**digits - 1)) + 1
        budget = max_chars - header
        if budget < 1:
            raise ValueError(f"title of {len(title)} chars leaves no room in {max_chars}")
        parts = _pack(_hard_cut(lines, budget), max_chars, budget)
        if len(str(len(parts))) <= digits:
            break
        digits += 1
    n = len(parts)
    return ["\n".join(parts[0])] + [
        "\n".join([continuation_title(title, i, n), *part])
        for i, part in enumerate(parts[1:], start=2)
    ]
