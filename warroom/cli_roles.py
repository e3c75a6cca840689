"""Verbs for ownership: claim, settle, handover, accept, decline, release."""

from __future__ import annotations

from warroom.cli import Parser


def register(sub, common: Parser, reading: Parser) -> None:
    """Adds the ownership verbs (being written)."""
