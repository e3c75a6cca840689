"""Validation at the edge: the field types every piece of user input passes through.

Every piece of user text passes through the annotated types below, so validation (trimmed,
non-empty, bounded, control characters removed) lives here and nowhere else; the rule for
text itself is :func:`warroom.text.checked`. The records read back from the database (and
the enums) are plain dataclasses in :mod:`warroom.records`: import them from there.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

from warroom.errors import UserError
from warroom.text import checked, clean_block, clean_line, clean_name

_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _cleaned(limit: int, clean):
    """A validator: text, cleaned of controls, non-empty, at most ``limit`` characters.

    Messages leave out the subject; callers put the field's name in front.
    """
    return lambda value: checked(value, limit, clean)


def _role(value: Any) -> str:
    text = clean_line(str(value)).lower()
    if not _ROLE_NAME.match(text):
        raise ValueError("is not a role name (lowercase letters, digits, - or _)")
    return text


Name = Annotated[str, BeforeValidator(_cleaned(80, clean_name))]
Title = Annotated[str, BeforeValidator(_cleaned(200, clean_line))]
Line = Annotated[str, BeforeValidator(_cleaned(500, clean_line))]
Body = Annotated[str, BeforeValidator(_cleaned(4000, clean_block))]
RoleName = Annotated[str, BeforeValidator(_role)]


def parse_fields(model: type[BaseModel], **values: Any) -> Any:
    """Validate ``values`` against a model, turning pydantic errors into one plain line."""
    from pydantic import ValidationError

    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "value"
        message = first["msg"].removeprefix("Value error, ")
        raise UserError(f"{field} {message}") from None


_ADAPTERS: dict[Any, Any] = {}


def valid(kind: Any, value: Any, what: str) -> Any:
    """Validate one value against an annotated type; errors name ``what``.

    >>> valid(Name, "  dana ", "name")
    'dana'
    """
    from pydantic import TypeAdapter, ValidationError

    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UserError(f"{what} {message}") from None
