"""Cleaning of untrusted text: every name, title and note passes through here.

Terminal escape sequences and control characters are removed on input, so nothing a user
types can move the cursor, change colours or retitle a terminal when it is shown later.
"""

from __future__ import annotations

import io
import re
import unicodedata
from contextvars import ContextVar
from typing import Any

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), DCS/SOS/PM/APC strings, and any
# other two-character ESC sequence. The 8-bit C1 forms (0x9b, 0x9d...) are covered below.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?       # DCS, SOS, PM, APC
  | \x1b[@-Z\\-_]                       # two-character sequences
  | \x1b                                # a lone ESC
  | \x9b[0-?]*[ -/]*[@-~]              # 8-bit CSI
    """,
    re.VERBOSE,
)
# C0 controls except tab and newline, DEL, C1 controls, and the invisible format
# characters that reorder or hide text: bidi embeddings, overrides and isolates
# (U+202A-202E, U+2066-2069), marks (U+200E/F, U+061C), zero-width characters (U+200B-200D,
# U+2060-2064, U+FEFF), variation selectors (U+FE00-FE0F, U+E0100-E01EF), tags, the
# Hangul fillers and the soft hyphen: "sa\u200dm" or "lee\ufe0f" would look like "sam", "lee".
_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u180b-\u180f\u200b-\u200f\u202a-\u202e"
              "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
              "\U000e0000-\U000e0fff")
_CONTROLS = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_CONTROLS_ONE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")


def strip_controls(value: str, *, multiline: bool = False) -> str:
    """Remove terminal escape sequences and control characters from ``value``.

    Carriage returns become newlines in multi-line text; in one-line text every line
    break and tab becomes a single space.
    """
    value = _ESCAPES.sub("", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = _CONTROLS.sub("", value)
        return value.replace("\t", "    ")
    value = re.sub(r"[\r\n\t]+", " ", value)
    return _CONTROLS_ONE_LINE.sub("", value)


def clean_line(value: str) -> str:
    """One line of user text: controls removed, runs of spaces squeezed, trimmed."""
    return re.sub(r" {2,}", " ", strip_controls(value)).strip()


def clean_block(value: str) -> str:
    """Multi-line user text: controls removed, trailing spaces and blank edges trimmed."""
    lines = [line.rstrip() for line in strip_controls(value, multiline=True).split("\n")]
    return "\n".join(lines).strip("\n").strip()


def checked(value: object, limit: int, clean=clean_line) -> str:
    """``value`` cleaned, non-empty and at most ``limit`` characters, or a ValueError whose
    message leaves out the subject ("must not be empty"); callers name the field."""
    if not isinstance(value, str):
        raise ValueError("must be text")
    text = clean(value)
    if not text:
        raise ValueError("must not be empty")
    if len(text) > limit:
        raise ValueError(f"is longer than {limit} characters")
    return text


def cut(value: str, limit: int = 40) -> str:
    """A value quoted in a message, cut short at ``limit`` characters (with "…"): an error
    line stays one line however long the value that caused it."""
    return value if len(value) <= limit else value[:limit] + "…"


def clean_name(value: str) -> str:
    """A person's name as typed: :func:`clean_line`, then Unicode-normalised (NFKC), so that
    look-alike spellings (full-width letters, ligatures, invisible joiners) are one name."""
    return clean_line(unicodedata.normalize("NFKC", clean_line(value)))


def shown(text: str) -> str:
    """Text on its way to a terminal, whatever wrote it into the database (another program
    may have): escape sequences, control characters (but newlines and tabs) and invisible
    format characters removed."""
    return strip_controls(text, multiline=True)


class CleanWriter(io.TextIOBase):
    """A text stream that passes everything written to it through :func:`shown` on the way
    to ``stream``: the command line's output, so that no stored text reaches the terminal
    raw. JSON written through it is unchanged (``json.dumps`` escapes every control)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(shown(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self):  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


EXACT: ContextVar[bool] = ContextVar("warroom_exact_text", default=False)
"""Set while a JSON output is made: stored text then reaches it exactly as stored (JSON
escapes every control); otherwise :func:`displayed` cleans it on its way to a screen."""


def displayed(value: Any) -> Any:
    """``value`` read from the database for a screen or a text output: every string in it
    (also inside lists and dicts) passed through :func:`shown`, unless :data:`EXACT` is set.
    Another program may have written anything into the file."""
    if EXACT.get():
        return value
    if isinstance(value, str):  # printable ASCII holds nothing to remove: the usual case
        return value if value.isascii() and value.isprintable() else shown(value)
    if isinstance(value, list):
        return [displayed(v) for v in value]
    if isinstance(value, dict):
        return {k: displayed(v) for k, v in value.items()}
    return value
