"""Changes during the incident from the dashboard: the severity form, re-exported by
``forms.py``."""

from __future__ import annotations

from warroom import actions
from warroom.records import IncidentView, Severity
from warroom.screens.form import Field, FormModal


def severity(s, v: IncidentView) -> FormModal:
    """Change the severity; the update cadence follows it (see the action)."""
    now = v.incident.severity

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.change_severity(s.store, s.actor, v.incident.key, severity=x["severity"],
                                       reason=x["reason"], clock=s.clock)

    return FormModal("Change the severity", [
        Field("severity", "Severity", "choice", value=now.value,
              choices=[(f"{sev.value}{' (now)' if sev is now else ''}", sev.value)
                       for sev in Severity]),
        Field("reason", "Reason (kept in the journal)"),
    ], submit, intro="The update cadence follows the new severity: the next update is due "
       "no later than one new cadence from now; an update already owed stays owed.",
        submit_label="Change")
