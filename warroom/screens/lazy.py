"""Screens the dashboard's start does not need, imported on first use: a start on one
incident shows neither the picker nor the wall, and the first paint is measured against a
bare Textual app (bench/live.py). Asking whether a screen is one of them imports nothing."""

from __future__ import annotations

import sys


def picker():
    """The picker's class (importing its module on first use)."""
    from warroom.screens.picker import PickerScreen

    return PickerScreen


def is_picker(screen: object) -> bool:
    """Whether ``screen`` is the picker, without importing it to ask."""
    module = sys.modules.get("warroom.screens.picker")
    return module is not None and isinstance(screen, module.PickerScreen)


def is_wall(screen: object) -> bool:
    """Whether ``screen`` is the wall's overview, without importing it to ask."""
    module = sys.modules.get("warroom.screens.wall")
    return module is not None and isinstance(screen, module.WallScreen)
