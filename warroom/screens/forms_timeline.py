"""Forms that write into the timeline itself: a note, or a decision the room took."""

from __future__ import annotations

from warroom import actions
from warroom.records import IncidentView
from warroom.screens.form import Field, FormModal


def note(s, v: IncidentView) -> FormModal:
    """A note for the room; marked as a decision, the review lists it among the decisions."""

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.add_note(s.store, s.actor, v.incident.key, text=x["text"],
                                decision=x["kind"] == "decision", clock=s.clock)

    return FormModal("Note or decision", [
        Field("kind", "What it is", "choice", value="note",
              choices=[("A note: a fact, an observation", "note"),
                       ("A decision the room took", "decision")]),
        Field("text", "Text", "text"),
    ], submit, intro="Shown to everyone in the timeline, and kept in the review.",
        submit_label="Post")
