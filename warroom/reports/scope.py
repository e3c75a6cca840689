"""Whose incidents a snapshot covers: everyone's, or one customer's and no word of another.

Without a scope, an incident counts in the group of every customer it affects (one spelling
per customer). A snapshot made for one customer is sent to that customer, so it must not
name any other:
it keeps the incidents that customer is affected by (its main customer, or one of the
others it affects), lists that customer alone on each, and replaces another customer's
name in a title (a whole word, any case) with :data:`ANOTHER`. Names compare with
:func:`warroom.rules.people.same_name`, the project's one name comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from warroom.reports.figures import IncidentMetrics
from warroom.rules.people import same_name

ANOTHER = "(another customer)"


def _words(names: Iterable[str]) -> re.Pattern[str] | None:
    """Any of ``names`` as a whole word, any case; the longest first."""
    ordered = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Scope:
    """Everyone (``customer`` None), or the one customer, as an incident recorded it."""

    customer: str | None
    customers: Mapping[int, Sequence[str]]  # incident id -> its customers, main first
    others: re.Pattern[str] | None = None  # any other customer's name
    own: re.Pattern[str] | None = None  # any customer's name, the scope's own included
    spellings: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, customer: str | None, customers: Mapping[int, Sequence[str]],
           incidents: Iterable[IncidentMetrics]) -> "Scope":
        if customer is None:
            return cls(None, customers)
        names = {n for names in customers.values() for n in names}
        names |= {m.customer for m in incidents}
        return cls(customer, customers,
                   _words(n for n in names if not same_name(n, customer)),
                   _words([*names, customer]))

    def names(self, m: IncidentMetrics) -> Sequence[str]:
        """Every customer ``m`` affects, main first."""
        return self.customers.get(m.id) or (m.customer,)

    def affects(self, m: IncidentMetrics) -> bool:
        if self.customer is None:
            return True
        return any(same_name(name, self.customer) for name in self.names(m))

    def named(self, m: IncidentMetrics) -> tuple[str, ...]:
        """The customers to name for ``m``: all of them, or the scope's one."""
        return (self.customer,) if self.customer else tuple(self.names(m))

    def groups(self, m: IncidentMetrics) -> tuple[str, ...]:
        """The customer groups ``m`` counts in: each customer it affects (or the scope's
        one), spelled as the first of the names that compare equal."""
        return tuple(dict.fromkeys(self.spelling(name) for name in self.named(m)))

    def spelling(self, name: str) -> str:
        """``name`` as first seen among the names that compare equal (``same_name``)."""
        known = self.spellings.get(name)
        if known is None:
            first = set(self.spellings.values())
            known = next((n for n in first if same_name(n, name)), name)
            self.spellings[name] = known
        return known

    def title(self, text: str) -> str:
        """``text`` with every other customer's name replaced: one pass over every name,
        the longest first, so "Acme Health" goes as a whole where the scope is "Acme", and
        the scope's own name is kept."""
        if self.others is None or self.own is None:
            return text
        return self.own.sub(lambda found: found[0] if same_name(found[0], self.customer)
                            else ANOTHER, text)
