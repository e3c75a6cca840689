"""Untrusted text in Markdown documents (the snapshot, the review): kept as plain text.

Names, titles and notes come from users. In a document they must not open a table cell,
start a heading or a list, inject HTML or links: structural characters are backslash-escaped
(CommonMark shows them as typed) and line breaks are folded into spaces.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LEADING = re.compile(r"^([-+=#]|\d+(?=[.)]))")


def inline(text: object) -> str:
    """User text for a paragraph, a list item or a table cell: one line, no markup."""
    flat = " ".join(str(text).split())
    escaped = _SPECIAL.sub(r"\\\1", flat)
    return _LEADING.sub(lambda m: m[0] + "\\" if m[0][0].isdigit() else "\\" + m[0],
                        escaped)


def table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """A Markdown table from cells already escaped; ``align`` has one ``l`` or ``r`` per
    column (default left)."""
    marks = [("---:" if (align[i:i + 1] == "r") else "---") for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out
