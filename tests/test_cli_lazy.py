"""Starting ``warroom`` imports no more than the dashboard needs: the verbs import actions,
views, playbooks, metrics and pydantic only when they run, and the dashboard reads plain
records, so the first paint does not pay pydantic's import (bench/live.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "warroom"
CLI = PACKAGE / "cli"
LAZY = sorted(p.name for p in CLI.glob("*.py") if p.name not in ("__init__.py", "common.py"))
ALLOWED = {"warroom.cli.common", "warroom.clock", "warroom.errors"}


def module_level_imports(path: Path) -> list[str]:
    """What a module imports when it is imported (not inside functions, nor TYPE_CHECKING)."""
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names += [node.module] if node.module != "warroom" else [
                f"warroom.{a.name}" for a in node.names]
    return names


def test_every_verb_module_imports_lazily():
    assert {"incident.py", "drill.py", "reports.py", "work.py", "dashboard.py"} <= set(LAZY)
    for name in LAZY:
        heavy = [m for m in module_level_imports(CLI / name)
                 if m.startswith("warroom") and m not in ALLOWED]
        assert heavy == [], f"{name} imports {heavy} at module level"


def test_the_parser_and_the_dashboard_import_neither_pydantic_nor_the_actions():
    code = (
        "import sys\n"
        "from warroom.cli import build_parser\n"
        "build_parser()\n"
        "import warroom.app, warroom.db.queries\n"
        "heavy = {'pydantic', 'warroom.actions', 'warroom.models', 'warroom.rules.playbooks',\n"
        "         'warroom.rules.templates', 'warroom.rules.matching',\n"
        "         'warroom.reports.metrics', 'warroom.rules.policy'}\n"
        "print(','.join(sorted(m for m in sys.modules if m in heavy)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent)
    assert out.stdout.strip() == ""


def test_the_dashboards_start_builds_its_own_verb_only(tmp_path):
    """``warroom`` with no verb parses with the run verb alone; the others cost 10 ms."""
    code = (
        "import sys\n"
        "from warroom.cli import main\n"
        f"code = main(['--db', {str(tmp_path / 'none.db')!r}, '--as', 'dana'])\n"
        "verbs = sorted(m for m in sys.modules if m.startswith('warroom.cli.')\n"
        "               and m != 'warroom.cli.common')\n"
        "print(code, ','.join(verbs))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent)
    assert out.stdout.split() == ["2", "warroom.cli.dashboard"]  # no database: one line, exit 2
    assert "no warroom database" in out.stderr


def test_importing_the_app_leaves_out_what_the_first_frame_does_not_show():
    """The dashboard's first frame needs its own screen only: the picker, the wall, the
    forms, the detail, help and metrics screens, presence and the change feed's watchfiles
    are imported on first use (after the first paint). Collection is paused while the UI is
    imported and must be on again after, with what the imports built frozen."""
    code = (
        "import gc, sys\n"
        "import warroom.app\n"
        "later = {'warroom.screens.picker', 'warroom.screens.wall', 'warroom.screens.forms',\n"
        "         'warroom.screens.form', 'warroom.screens.detail', 'warroom.screens.help',\n"
        "         'warroom.screens.metrics', 'warroom.db.presence', 'watchfiles'}\n"
        "print(','.join(sorted(m for m in sys.modules if m in later)) or '-',\n"
        "      gc.isenabled(), gc.get_freeze_count() > 0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent)
    assert out.stdout.split() == ["-", "True", "True"]


def test_a_process_that_collects_nothing_is_left_so():
    code = ("import gc\ngc.disable()\nimport warroom.app\n"
            "print(gc.isenabled(), gc.get_freeze_count())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent)
    assert out.stdout.split() == ["False", "0"]
