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
    flat = " ".join(_PRIVATE.sub("", str(text)).split())
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


# -- documents that read cleanly as plain text -------------------------------------------
#
# The review marks user text with :func:`text` and times with :func:`zoned`, and hands its
# lines to :func:`document`, which sees each mark in the whole line: a character is
# escaped only where, on that line, Markdown would read it as markup. So ``pg_dump``,
# ``~5m`` and ``a -> b`` stay as typed, and ``|`` is escaped only inside a table row.

_U0, _U1, _Z0, _Z1, _ZT = "\ue000", "\ue001", "\ue002", "\ue003", "\ue005"
ZONES = "\ue004"
"""Where :func:`document` writes the zone labels the document's times use (``UTC``, or
``CEST, CET``)."""
_PRIVATE = re.compile("[\ue000-\ue005]")
_MARKS = re.compile(f"{_Z0}([^{_ZT}]*){_ZT}([^{_Z1}]*){_Z1}")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);")
_BLOCK_START = re.compile(r"^\s*((?:[-*+]|\d{1,9}[.)])\s+)*\s*$")
_LEADING_NUMBER = re.compile(r"\d{1,9}[.)]")
_PREFIX = 16  # the longest line start before user text that can still open a block


def text(value: object) -> str:
    """User text for a :func:`document` line: one line, escaped there as its line needs.
    Times marked by :func:`zoned` inside it (a finding that names one) keep their mark."""
    parts = _MARKS.split(str(value))  # text, label, when, text, label, when, ..., text
    kept = "".join(_PRIVATE.sub("", part) if i % 3 == 0 else
                   (_Z0 + part if i % 3 == 1 else _ZT + part + _Z1)
                   for i, part in enumerate(parts))
    flat = " ".join(kept.split())
    return f"{_U0}{flat}{_U1}" if flat else ""


def zoned(at: str, label: str, when: float = 0.0) -> str:
    """A time already formatted (``2026-10-25 02:30``) with its zone ``label`` and the
    instant ``when`` (POSIX seconds); the document names the label after each time only
    when its times use more than one, and lists them in the order they came into force."""
    return f"{at}{_Z0}{label}{_ZT}{when!r}{_Z1}"


def document(lines: list[str]) -> str:
    """The lines as one Markdown document: user text escaped where it would be markup, and
    zone labels after each time when they differ (else once, where :data:`ZONES` is)."""
    doc = "\n".join(lines) + "\n"
    first: dict[str, float] = {}
    for label, when in _MARKS.findall(doc):
        first[label] = min(first.get(label, float(when)), float(when))
    labels = sorted(first, key=first.__getitem__)
    each = len(labels) > 1
    doc = _MARKS.sub(lambda m: f" {m[1]}" if each else "", doc)
    doc = doc.replace(ZONES, ", ".join(labels) or "UTC")
    return "\n".join(_escape_line(line) for line in doc.split("\n"))


def _punct(c: str | None) -> bool:
    import unicodedata

    return c is not None and (unicodedata.category(c)[0] in "PS")


def _space(c: str | None) -> bool:
    return c is None or c.isspace()


def _flanking(chars: list[str], start: int, end: int) -> tuple[bool, bool]:
    """Whether the delimiter run ``chars[start:end]`` can open and can close emphasis (the
    CommonMark rules; ``~`` as ``*``)."""
    prev = chars[start - 1] if start > 0 else None
    nxt = chars[end] if end < len(chars) else None
    left = not _space(nxt) and (not _punct(nxt) or _space(prev) or _punct(prev))
    right = not _space(prev) and (not _punct(prev) or _space(nxt) or _punct(nxt))
    if chars[start] == "_":
        return left and (not right or _punct(prev)), right and (not left or _punct(nxt))
    return left, right


def _escape_line(line: str) -> str:
    chars: list[str] = []
    user: list[bool] = []
    inside = False
    for c in line:
        if c == _U0:
            inside = True
        elif c == _U1:
            inside = False
        else:
            chars.append(c)
            user.append(inside)
    if not any(user):
        return "".join(chars)
    escape = [False] * len(chars)
    table_row = line.startswith("|")
    runs = _runs(chars)
    for i, c in enumerate(chars):
        if not user[i]:
            continue
        nxt = chars[i + 1] if i + 1 < len(chars) else None
        if c == "\\":
            escape[i] = nxt is None or (nxt.isascii() and _punct(nxt))
        elif c in "`[]":
            escape[i] = True
        elif c == "|":
            escape[i] = table_row
        elif c == "<":
            escape[i] = nxt is not None and (nxt.isalpha() or nxt in "/!?")
        elif c == "&":
            escape[i] = bool(_ENTITY.match("".join(chars[i:i + 40])))
        if not table_row and i <= _PREFIX and _BLOCK_START.match("".join(chars[:i])):
            if c in "#>+-=*":
                escape[i] = True
            elif c.isdigit() and (number := _LEADING_NUMBER.match("".join(chars[i:i + 12]))):
                escape[i + len(number[0]) - 1] = True
    for start, end, can_open, can_close in runs:
        if not any(user[start:end]):
            continue
        same = [r for r in runs if chars[r[0]] == chars[start]]
        pairs = (can_open and any(r[0] > start and r[3] for r in same)) or (
            can_close and any(r[0] < start and r[2] for r in same))
        if pairs:
            for i in range(start, end):
                escape[i] = escape[i] or user[i]
    return "".join("\\" + c if e else c for c, e in zip(chars, escape))


def _runs(chars: list[str]) -> list[tuple[int, int, bool, bool]]:
    """Every run of ``*``, ``_`` or ``~``: start, end, whether it can open, close."""
    out = []
    i = 0
    while i < len(chars):
        if chars[i] in "*_~":
            end = i
            while end < len(chars) and chars[end] == chars[i]:
                end += 1
            out.append((i, end, *_flanking(chars, i, end)))
            i = end
        else:
            i += 1
    return out
