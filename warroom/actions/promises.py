"""Promises of the next update: when the next status update of an audience falls due.

The cadence sets the latest due time (now + the cadence's minutes); an update may promise
an earlier one. A customer update may promise a later one only when it says the customer
agreed (``agreed``): the room is then held to the promise, never more than 7 days ahead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.clock import offset
from warroom.errors import UserError
from warroom.records import Audience

MAX_PROMISE = timedelta(days=7)


def next_due(
    now: datetime, minutes: float, audience: Audience, severity: str,
    promised: datetime | None, agreed: bool,
) -> tuple[datetime, bool]:
    """The next due time of ``audience`` after an update posted at ``now``, and whether it
    is a later time agreed with the customer. ``minutes`` is the cadence of ``severity``.

    An internal update's later time is held to the cadence, as before; ``agreed`` is for
    customer updates only."""
    cadence = now + timedelta(minutes=minutes)
    if agreed and audience is not Audience.CUSTOMER:
        raise UserError("only a customer update's next time can be agreed with the customer")
    if promised is None or promised <= cadence:
        return (cadence if promised is None else promised), False
    if audience is not Audience.CUSTOMER:
        return cadence, False
    if promised - now > MAX_PROMISE:
        raise UserError("a next update more than 7 days ahead is refused: promise one "
                        "within 7 days")
    if not agreed:
        raise UserError(f"the {severity} customer cadence is "
                        f"{offset(timedelta(minutes=minutes))}: a later next update needs "
                        "--agreed")
    return promised, True
