"""docs/recaps.md shows each recap's example exactly as the layouts render it today."""

import re
from pathlib import Path

from .doc_examples import EXAMPLES

DOC = Path(__file__).parents[4] / "docs" / "recaps.md"
BLOCK = re.compile(r"<!-- example: (\w+) -->\n```text\n(.*?)\n```", re.DOTALL)


def test_every_example_is_in_the_doc_as_rendered():
    shown = dict(BLOCK.findall(DOC.read_text(encoding="utf-8")))
    assert sorted(shown) == sorted(EXAMPLES), "docs/recaps.md and doc_examples.py disagree"
    for name, render in EXAMPLES.items():
        assert shown[name] == render(), (
            f"docs/recaps.md's {name} example is stale; print the text with "
            f"`.venv/bin/python -m tests.unit.domain.layouts.doc_examples {name}`"
        )
