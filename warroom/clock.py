"""Time: the clock every action takes, parsing of the times people type, and the formatting
of times and durations for every surface (dashboard, CLI, review, snapshot).

Every function that needs the current time takes a ``clock`` (a callable returning an aware
UTC datetime), so tests freeze it and drills speed it up.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.errors import UserError
from warroom.text import cut

Clock = Callable[[], datetime]


STATED: ContextVar[bool] = ContextVar("warroom_stated_time", default=False)
"""Set while an action runs at a time the user stated (``--at``, a form's "When it
happened"): its order against later events is then checked without the grace that covers
two people acting at the same moment (:mod:`warroom.db.order`)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class FrozenClock:
    """A clock that only moves when told to; for tests and snapshots."""

    def __init__(self, at: datetime) -> None:
        self.now = at.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


_DURATION = re.compile(r"(\d+)\s*([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str) -> timedelta:
    """``90m``, ``1h30m``, ``2d``, ``45s`` or a bare number of minutes."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        return timedelta(minutes=int(cleaned))
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise UserError(f"cannot read {text!r} as a duration: use e.g. 30m, 2h, 1h30m or 1d")
    delta = timedelta()  # too long for a timedelta: OverflowError, each caller words it
    for number, unit in parts:
        delta += timedelta(**{_UNITS[unit]: int(number)})
    return delta


def _cut(text: str, limit: int = 40) -> str:
    """A typed value quoted in a message, cut when long (an error line stays one line)."""
    return repr(cut(text, limit))


# -- the viewer's zone ----------------------------------------------------------------------

_zone: tzinfo | None = None
"""The zone times are shown and typed in: None is the system's local zone ($TZ); ``--tz``
or ``WARROOM_TZ`` set it for the process (:func:`use_zone`)."""


def zone_named(name: str, what: str = "--tz") -> ZoneInfo:
    """An IANA zone (``Europe/Berlin``, ``UTC``), or a one-line user error."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError(f"{what} {_cut(name)} is not a time zone: use an IANA name such as "
                        f"Europe/Berlin, America/New_York or UTC") from None


def viewer_zone(flag: str | None = None) -> tzinfo | None:
    """The zone the viewer asked for: ``--tz``, else ``$WARROOM_TZ``, else None (the
    system's local zone, which ``$TZ`` sets)."""
    if flag is not None:
        return zone_named(flag, "--tz")
    env = os.environ.get("WARROOM_TZ")
    return zone_named(env, "WARROOM_TZ") if env else None


def use_zone(zone: tzinfo | None) -> tzinfo | None:
    """Show and read times in ``zone`` (None: the system's) from now on; returns the zone
    used before, to put back."""
    global _zone
    before, _zone = _zone, zone
    return before


def local(at: datetime, zone: tzinfo | None = None) -> datetime:
    """``at`` in ``zone``, else in the viewer's zone (the offset of that instant: DST)."""
    zone = zone or _zone
    return at.astimezone(zone) if zone is not None else at.astimezone()


def _localize(naive: datetime) -> datetime:
    """A wall-clock time someone typed, in the viewer's zone."""
    return naive.replace(tzinfo=_zone) if _zone is not None else naive.astimezone()


def _offset(there: datetime) -> str:
    """``+01:00``, ``-03:00``, ``+05:45``: the UTC offset of an aware time."""
    minutes = int((there.utcoffset() or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_label(at: datetime, zone: tzinfo | None = None) -> str:
    """The zone's name at that instant: ``CET`` or ``CEST`` (DST), ``UTC``; ``+05:30`` when
    the zone has no abbreviation."""
    there = local(at, zone)
    name = there.tzname() or ""
    return name if name.isalpha() else _offset(there)


def _days_on(at: datetime, days: int) -> datetime:
    """The same local wall-clock time ``days`` later (across a change of UTC offset)."""
    return _localize(at.replace(tzinfo=None) + timedelta(days=days))


def parse_when(text: str, now: datetime) -> datetime:
    """A time someone typed: ``+30m`` or ``30m`` (from now), ``14:30`` (local, next such
    time), ``today 14:30`` or ``tomorrow 09:00`` (local), or an ISO 8601 date-time (local
    unless it names a zone). Returns aware UTC; a time out of the calendar's range is a
    user error, never a traceback."""
    try:
        return _parse_when(text, now)
    except (OverflowError, ValueError):  # year 1 minus an offset, +9999999d from now
        raise UserError(f"{_cut(text)} is out of range for a time") from None


def _parse_when(text: str, now: datetime) -> datetime:
    cleaned = text.strip()
    if not cleaned:
        raise UserError("a time is required")
    if cleaned.startswith("+") or _DURATION.fullmatch(cleaned.lower()) or re.fullmatch(
        r"(\d+[dhms])+", cleaned.lower()
    ):
        return now + parse_duration(cleaned.lstrip("+"))
    match = re.fullmatch(r"(?:(today|tomorrow)\s+)?(\d{1,2}):(\d{2})", cleaned.lower())
    if match:
        hour, minute = int(match[2]), int(match[3])
        if hour > 23 or minute > 59:
            raise UserError(f"{text!r} is not a time of day")
        local_now = local(now)
        # the wall-clock time today, with the offset of that time (DST), not of now
        at = _localize(local_now.replace(hour=hour, minute=minute, second=0, microsecond=0,
                                         tzinfo=None))
        if match[1] == "tomorrow":
            at = _days_on(at, 1)
        elif match[1] is None and at <= local_now:
            at = _days_on(at, 1)
        return at.astimezone(timezone.utc)
    try:
        at = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UserError(
            f"cannot read {text!r} as a time: use +30m, 14:30 or 2026-11-24T14:30"
        ) from None
    if at.tzinfo is None:
        at = _localize(at)
    return at.astimezone(timezone.utc)


PAST_FORMS = "-10m, '10m ago', 14:05 (today), 'yesterday 23:50' or 2026-11-24T14:05"


def parse_at(text: str, now: datetime) -> datetime:
    """When something happened, to record it late (``--at``): ``-10m`` or ``10m ago``,
    ``14:05`` or ``today 14:05`` (local, today), ``yesterday 23:50``, or an ISO 8601
    date-time (local unless it names a zone). Returns aware UTC; a time after ``now`` is
    refused, and one out of the calendar's range is a user error, never a traceback."""
    try:
        return _parse_at(text, now)
    except (OverflowError, ValueError):
        raise UserError(f"{_cut(text)} is out of range for a time") from None


def _parse_at(text: str, now: datetime) -> datetime:
    cleaned = " ".join(text.strip().lower().split())
    ago = re.fullmatch(r"-\s*(.+)|(.+?) ago", cleaned)
    day = re.fullmatch(r"(?:(today|yesterday) )?(\d{1,2}):(\d{2})", cleaned)
    if ago:
        at = now - parse_duration(ago[1] or ago[2])
    elif day:
        if int(day[2]) > 23 or int(day[3]) > 59:
            raise UserError(f"{text!r} is not a time of day")
        at = _localize(local(now).replace(hour=int(day[2]), minute=int(day[3]), second=0,
                                          microsecond=0, tzinfo=None))  # that time's offset
        if day[1] == "yesterday":
            at = _days_on(at, -1)
    elif cleaned.startswith("+") or re.fullmatch(r"\d+|(\d+[dhms])+", cleaned):
        ahead = cleaned.lstrip("+") + ("m" if cleaned.lstrip("+").isdigit() else "")
        raise UserError(f"--at {text} reads as a time to come: say when it happened, e.g. "
                        f"-{ahead} or '{ahead} ago'")
    else:
        try:
            at = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UserError(f"cannot read {text!r} as a past time: use {PAST_FORMS}") from None
        if at.tzinfo is None:
            at = _localize(at)
    at = at.astimezone(timezone.utc)
    if at > now:
        hint = f" (yesterday's: 'yesterday {cleaned}')" if day and day[1] is None else ""
        raise UserError(f"--at {text}: {said_day_hm(at, now)} has not come yet, and only "
                        f"what already happened can be recorded{hint}")
    return at


def span(delta: timedelta) -> str:
    """A short human duration: ``45s``, ``12m``, ``3h05m``, ``2d04h``."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when(at: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """A time as every surface shows it, in the viewer's zone (or ``zone``): ``14:30`` on
    the day of ``now``, ``Mon 14 Dec 10:00`` on another day, ``Mon 14 Dec 2025 10:00`` in
    another year; followed by the zone's name when it differs from now's (a time before a
    DST change: ``Sat 24 Oct 10:00 CEST`` seen from CET). The surface names now's zone."""
    there, here = local(at, zone), local(now, zone)
    text = f"{there:%H:%M}"
    if there.date() != here.date():
        year = f" {there.year}" if there.year != here.year else ""
        text = f"{DAYS[there.weekday()]} {there.day} {MONTHS[there.month - 1]}{year} {text}"
    label = zone_label(at, zone)
    return text if label == zone_label(now, zone) else f"{text} {label}"


def local_hm(at: datetime, now: datetime | None = None) -> str:
    """``14:02`` in the viewer's zone; given ``now``, :func:`when` (with the date when not
    today). Bare only where the day is plain from what surrounds it."""
    return when(at, now) if now is not None else f"{local(at):%H:%M}"


def local_stamp(at: datetime) -> str:
    """``2026-11-24 14:02`` in the viewer's zone."""
    return f"{local(at):%Y-%m-%d %H:%M}"


def stamp_zoned(at: datetime) -> str:
    """``2026-10-24 10:00+02:00``: a full stamp with the UTC offset of that instant joined
    to the time (``warroom log``: scripts that split its lines on spaces find the same
    columns as before)."""
    there = local(at)
    return f"{there:%Y-%m-%d %H:%M}{_offset(there)}"


def day_hm(at: datetime, now: datetime) -> str:
    """:func:`when`: ``14:30`` today, ``Sun 29 Nov 14:30`` on another day."""
    return when(at, now)


def said_day_hm(at: datetime, now: datetime) -> str:
    """:func:`when` for echoing a time back: ``14:30`` today, ``tomorrow Thu 3 Dec 09:00``,
    ``Sat 5 Dec 09:00`` on another day."""
    if local(at).date() == local(now).date() + timedelta(days=1):
        return f"tomorrow {when(at, now)}"
    return when(at, now)


def zone_note(now: datetime) -> str:
    """What a surface says of its zone: ``times in CET`` (the zone now, in the viewer's
    zone setting)."""
    return f"times in {zone_label(now)}"


def to_dt(seconds: float | None) -> datetime | None:
    """POSIX seconds (as the metrics keep them) back to an aware UTC datetime."""
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def dur(seconds: float) -> str:
    """:func:`span` of a number of seconds."""
    return span(timedelta(seconds=seconds))


def hm(seconds: float, day_of: float | None = None) -> str:
    """``14:02`` in local time, from POSIX seconds; with the date too when it is not the
    day of ``day_of``."""
    at = to_dt(seconds)
    return local_hm(at) if day_of is None else day_hm(at, to_dt(day_of))


def offset(delta: timedelta) -> str:
    """``15m``, ``2h``, ``1h30m``, ``5d``: an offset as a playbook author writes it (the
    inverse of :func:`parse_duration`)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (
        f"{mins}m" if mins else "")
    return text or "0m"
