"""Every kind of journal event is defined once (warroom/journal.py), with its wording, and the
metrics fold either handles it or is told to ignore it. These tests fail when an action
writes a kind the vocabulary lacks, or a kind the fold neither reads nor lists as ignored."""

from __future__ import annotations

import ast
from datetime import datetime, timezone
from pathlib import Path

import pytest

from warroom.journal import VOCABULARY, Kind, describe
from warroom.records import Actor, Event
from warroom.reports.metrics import HANDLERS

PACKAGE = Path(__file__).resolve().parent.parent / "warroom"
AT = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


def journal_calls() -> list[tuple[str, int, list[ast.expr]]]:
    """Every ``<store>.journal(actor, at, KIND, ...)`` call in the package: file, line and
    the expressions the kind can be (a name bound in the same function counts as what it is
    assigned; a conditional as both of its branches)."""
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for func in ast.walk(ast.parse(path.read_text())):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            bound = {t.id: n.value for n in ast.walk(func) if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)}
            for node in ast.walk(func):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "journal" and len(node.args) >= 3):
                    calls.append((str(path.relative_to(PACKAGE)), node.lineno,
                                  _choices(node.args[2], bound)))
    return calls


def _choices(expr: ast.expr, bound: dict[str, ast.expr]) -> list[ast.expr]:
    if isinstance(expr, ast.Name) and expr.id in bound:
        return _choices(bound[expr.id], {})
    if isinstance(expr, ast.IfExp):
        return _choices(expr.body, bound) + _choices(expr.orelse, bound)
    return [expr]


def test_every_kind_has_its_wording_and_its_place_in_the_fold():
    assert set(VOCABULARY) == set(Kind)
    folded = {str(k) for k, meaning in VOCABULARY.items() if meaning.folded}
    # incident.opened starts the fold's accumulator; every other folded kind has a handler
    assert set(HANDLERS) == folded - {Kind.INCIDENT_OPENED}
    assert set(HANDLERS) <= {str(k) for k in Kind}


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_reads_as_a_sentence_of_its_own(kind):
    event = Event(id=1, incident_id=1, at=AT, os_user="oncall", display_name="dana",
                  kind=str(kind), payload={})
    text = describe(event)
    assert text.startswith("dana ")
    assert text != f"dana {kind.replace('.', ' ')}"  # not the fallback for unknown kinds


def test_every_action_writes_a_kind_from_the_vocabulary():
    calls = journal_calls()
    files = {path for path, _, _ in calls}
    assert {"actions/ownership.py", "actions/incident.py", "actions/approvals.py",
            "actions/work.py", "actions/notes.py", "actions/review.py"} <= files
    for path, line, choices in calls:
        for arg in choices:
            named = (isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name)
                     and arg.value.id == "Kind")
            assert named, f"{path}:{line} writes a kind that is not Kind.<NAME>"
            assert arg.attr in Kind.__members__, f"{path}:{line}: Kind.{arg.attr} is undefined"


def test_an_unknown_kind_reads_plainly(store):
    event = Event(id=1, incident_id=1, at=AT, os_user="oncall", display_name="dana",
                  kind="pager.sent", payload={})
    assert describe(event) == "dana pager sent"


def test_the_store_refuses_a_kind_the_vocabulary_lacks(store):
    with pytest.raises(ValueError, match="pager.sent"), store.write():
        store.journal(Actor(os_user="oncall", display="dana"), AT, "pager.sent", None)
    assert store.last_event_id() == 0
