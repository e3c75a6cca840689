"""The files shipped with warroom: ``data/playbooks``, ``data/templates`` and
``data/scenarios``, installed as the ``warroom.data`` package. The one place that knows
where they live."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal

Kind = Literal["playbooks", "templates", "scenarios"]
KINDS: tuple[Kind, ...] = ("playbooks", "templates", "scenarios")


def shipped(kind: Kind) -> Traversable:
    """The folder of shipped files of this kind."""
    if kind not in KINDS:
        raise ValueError(f"no shipped {kind!r} (kinds: {', '.join(KINDS)})")
    return resources.files("warroom.data").joinpath(kind)


def shipped_files(kind: Kind) -> list[tuple[str, str]]:
    """(source, text) of every shipped ``*.toml`` of this kind, sorted by name; the source
    is ``data/<kind>/<file>``, as errors name it."""
    folder = shipped(kind)
    return [(f"data/{kind}/{e.name}", e.read_text(encoding="utf-8"))
            for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".toml")]
