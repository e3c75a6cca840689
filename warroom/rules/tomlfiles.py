"""Reading playbook, template and scenario files, which are user input: bytes that may not
be UTF-8, TOML that may not parse, and values pydantic refuses, each told as
``file: where: what`` in the words of the person editing the file.

Every problem of a file is kept (an :class:`Invalid` holds them all), list items are named
by their name where they have one (``milestones["Rollback ready"].role`` rather than
``milestones.1.role``), and messages are cleaned of control characters, since a file name
or a key may carry escapes. :data:`Duration` is how all of them write a length of time.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError

from warroom.clock import parse_duration
from warroom.errors import UserError
from warroom.text import clean_line

Content = str | bytes | OSError  # a file's text, its raw bytes, or why it could not be read


class Invalid(UserError):
    """Every problem found in one file, each a line ``file: where: what``; the message is
    the first, with how many more there are."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = [clean_line(p) for p in problems]
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(self.problems[0] + suffix)


def problem(source: str, where: str, what: str) -> str:
    """``file: where: what`` on one line, cleaned: a file name or a key may carry escapes."""
    return clean_line(f"{source}: {where}: {what}")


def file_content(path: Path) -> Content:
    """A file's bytes, or the OSError that stopped us reading it: either way the file is
    reported on its own (skipped or invalid) and never stops the others being read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        return exc


def folder_files(folder: Path) -> list[tuple[str, Content]]:
    """(source, content) of every ``*.toml`` in ``folder`` (none if it does not exist);
    contents are decoded when parsed, so one unreadable file is one located error."""
    if not folder.is_dir():
        return []
    try:
        paths = sorted(folder.glob("*.toml"))
    except OSError as exc:
        raise UserError(clean_line(f"cannot read {folder}: {exc.strerror}")) from None
    return [(clean_line(str(p)), file_content(p)) for p in paths]


def decoded(content: Content, source: str) -> str:
    """The text of a file: bytes must be UTF-8 (TOML is), and the error says where not."""
    if isinstance(content, OSError):
        raise UserError(problem(source, "cannot read it", str(content.strerror or content)))
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise UserError(clean_line(f"{source}: not UTF-8 text (byte 0x{content[exc.start]:02x} "
                                   f"on line {line}); save it as UTF-8")) from None


def read_toml(content: Content, source: str) -> dict[str, Any]:
    text = decoded(content, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(clean_line(f"{source}: not valid TOML: {exc}")) from None


def parse_files(files: Iterable[tuple[str, Content]], parse_one: Callable[[Content, str], Any]
                ) -> Iterator[tuple[str, Any, list[str]]]:
    """Each of a set of files parsed by ``parse_one(content, source)`` (which returns
    something with a ``name``): ``(source, item, [])``, or ``(source, None, problems)`` when
    the file is invalid or defines a name an earlier file of the set defined."""
    seen: dict[str, str] = {}
    for source, content in files:
        try:
            item = parse_one(content, source)
        except Invalid as exc:
            yield source, None, exc.problems
            continue
        except UserError as exc:
            yield source, None, [str(exc)]
            continue
        if item.name in seen:
            yield source, None, [problem(source, "name", f"{item.name!r} is also defined in "
                                                         f"{seen[item.name]}")]
            continue
        seen[item.name] = source
        yield source, item, []


# -- lengths of time ------------------------------------------------------------------------


def duration(value: object) -> timedelta:
    """Minutes (a number) or a duration (``90s``, ``15m``, ``2h``, ``1h30m``, ``3d``), as a
    file writes a length of time; a pydantic "before" validator (see :data:`Duration`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("must be a duration such as 90s, 15m, 2h or 1h30m")
    try:
        return parse_duration(value) if isinstance(value, str) else timedelta(minutes=value)
    except UserError as exc:
        raise ValueError(str(exc)) from None
    except OverflowError:
        raise ValueError("is too long a duration") from None
    except ValueError:  # NaN minutes
        raise ValueError("must be a duration such as 90s, 15m, 2h or 1h30m") from None


Duration = Annotated[timedelta, BeforeValidator(duration)]


# -- pydantic's errors in plain words --------------------------------------------------------

_PLAIN = {
    "missing": "is required",
    "extra_forbidden": "is not a known key",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "list_type": "must be a list",
    "date_type": "must be a date such as 2026-11-01",
    "date_parsing": "must be a date such as 2026-11-01",
    "date_from_datetime_parsing": "must be a date such as 2026-11-01",
    "date_from_datetime_inexact": "must be a date such as 2026-11-01",
}
_BOUNDS = {"greater_than": ("gt", "greater than"), "greater_than_equal": ("ge", "at least"),
           "less_than": ("lt", "less than"), "less_than_equal": ("le", "at most")}


def _count(n: int, noun: str) -> str:
    return f"{'one' if n == 1 else n} {noun}{'' if n == 1 else 's'}"


def plain(error: dict[str, Any]) -> str:
    """What is wrong, in the words of a person editing a file (not pydantic's)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"must be {words} {ctx.get(key)}"
    noun = "entry" if ctx.get("field_type") == "Dictionary" else "item"
    if kind == "too_short":
        return f"must have at least {_count(ctx.get('min_length', 1), noun)}"
    if kind == "too_long":
        return f"must have at most {_count(ctx.get('max_length', 1), noun)}"
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must be at least {least} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind in ("enum", "literal_error") and "expected" in ctx:
        return f"must be {ctx['expected']}"
    message = error["msg"].removeprefix("Value error, ")
    return message.replace("Input should be", "must be").replace("String should", "must")


def _label(item: Any, index: int) -> str:
    """A list item by its name (a table's ``name``, or the text itself), else its number."""
    name = item.get("name") if isinstance(item, dict) else item
    if isinstance(name, str) and name.strip() and len(name) <= 60:
        return f'["{clean_line(name)}"]'
    return f"[#{index + 1}]"


def where(loc: tuple, data: Any) -> str:
    """``milestones["Rollback ready"].due.SEV1``: the place of an error in the file."""
    out, node = "", data
    for part in loc:
        if part == "[key]":
            continue  # the error is about the key itself, already named
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            out += _label(node[part], part)
            node = node[part]
            continue
        out += f".{part}" if out else str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return out or "file"


def located(source: str, exc: ValidationError, data: Any = None) -> Invalid:
    """Every error of a validation, located in the file's ``data``."""
    return Invalid([problem(source, where(e["loc"], data), plain(e)) for e in exc.errors()])


def validated(model: type, text: Content, source: str,
              check: Callable[[Any, Any], list[tuple[str, str]]]):
    """One file as ``model``, every problem reported (:class:`Invalid`) with the file and
    the place in it: those of its shape first, then, once the shape is right, what
    ``check(item, data)`` finds (references between parts, order), as (where, what)."""
    data = read_toml(text, source)
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        raise located(source, exc, data) from None
    problems = check(item, data)
    if problems:
        raise Invalid([problem(source, where, what) for where, what in problems])
    return item
