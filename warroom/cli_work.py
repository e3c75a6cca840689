"""Verbs for the work: milestones, blockers, approvals."""

from __future__ import annotations

from warroom.cli import Parser


def register(sub, common: Parser, reading: Parser) -> None:
    """Adds the milestone, blocker and approval verbs (being written)."""
