"""The core stays free of textual, and only the db package speaks SQL."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "warroom"
UI = {"app.py", "screens", "widgets"}


def core_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in UI or path.name == "__main__.py":
            continue
        names.append("warroom." + ".".join(rel.with_suffix("").parts).removesuffix(".__init__"))
    return names


def test_importing_the_core_does_not_import_textual():
    modules = core_modules()
    assert "warroom.db.store" in modules and "warroom.cli" in modules
    assert {"warroom.reports.metrics", "warroom.reports.figures", "warroom.reports.rollup",
            "warroom.reports.snapshot", "warroom.reports.review", "warroom.reports.findings",
            "warroom.reports.ownership_map", "warroom.drills.debrief", "warroom.render.markdown",
            "warroom.cli.reports", "warroom.actions.review", "warroom.journal"} <= set(modules)
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + (
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_only_ui_modules_mention_textual():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in UI:
            continue
        text = path.read_text()
        assert not re.search(r"^\s*(import textual|from textual)", text, re.M), rel


# A string literal that starts like SQL (prose in docstrings may name PRAGMAs freely).
SQL = re.compile(r"""[frb]*["'](SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|WITH)\s""")


def test_only_the_db_package_writes_sql():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.relative_to(PACKAGE).parts[0] != "db" and SQL.search(p.read_text())]
    assert offenders == []

