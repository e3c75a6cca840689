"""Building the parser (every start of ``warroom``) imports no more than it needs: the
incident and playbook verbs import actions, views, playbooks, templates and pydantic only
when they run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "warroom"
LAZY = ("cli_incident.py", "cli_playbook.py")
ALLOWED = {"warroom.cli", "warroom.clock", "warroom.errors"}


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


def test_the_incident_and_playbook_verbs_import_lazily():
    for name in LAZY:
        heavy = [m for m in module_level_imports(PACKAGE / name)
                 if m.startswith("warroom") and m not in ALLOWED]
        assert heavy == [], f"{name} imports {heavy} at module level"


def test_registering_their_verbs_imports_neither_pydantic_nor_the_core():
    code = (
        "import sys\n"
        "from warroom import cli, cli_incident, cli_playbook\n"
        "common, reading = cli.Parser(add_help=False), cli.Parser(add_help=False)\n"
        "sub = cli.Parser(prog='warroom').add_subparsers(dest='verb', parser_class=cli.Parser)\n"
        "cli_incident.register(sub, common, reading)\n"
        "cli_playbook.register(sub, common, reading)\n"
        "heavy = {'pydantic', 'warroom.actions', 'warroom.views', 'warroom.playbooks',\n"
        "         'warroom.templates', 'warroom.matching', 'warroom.models', 'warroom.store'}\n"
        "print(','.join(sorted(m for m in sys.modules if m in heavy)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent)
    assert out.stdout.strip() == ""
