"""Cleaning of untrusted text: every name, title and note passes through here.

Terminal escape sequences and control characters are removed on input, so nothing a user
types can move the cursor, change colours or retitle a terminal when it is shown later.
"""

from __future__ import annotations

import re

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
# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
