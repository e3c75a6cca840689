"""The one exception family for errors a user can cause.

The CLI prints ``str(error)`` on one line and exits 2; the app shows it as a notification.
Nothing is written when one of these is raised inside an action.
"""

from __future__ import annotations


class WarroomError(Exception):
    """Base of every error with a message meant for the person at the keyboard."""


class UserError(WarroomError):
    """Bad input or an action that the current state does not allow."""


class NotFound(UserError):
    """An incident, role, milestone or request that does not exist."""


class Conflict(UserError):
    """Someone else changed the same thing first; the message says who holds it now."""


class DatabaseError(WarroomError):
    """The file is not a warroom database, is newer than this program, or cannot be opened."""


class Busy(WarroomError):
    """The database stayed locked by other writers for longer than we wait."""
