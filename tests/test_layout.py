"""The shape of the package: no import cycles, no oversized modules, few top-level modules.

The import graph is read from the source with :mod:`ast`, never by importing it, so a cycle
is reported as the path it takes, not as whatever ImportError it happens to cause.

What counts as an import of module A by module M (an edge M -> A):

- Only imports that run when M is imported: at module level, in ``try``/``with``/``if``
  blocks and class bodies, but not inside functions, and not under ``if TYPE_CHECKING:``
  (its ``else`` runs, so it counts).
- ``import warroom.x.y`` imports warroom.x.y; ``from warroom.x import y`` imports the module
  warroom.x.y when that is a module file, else warroom.x (``y`` is a name defined there).
  Relative imports are resolved against M's package.
- Importing warroom.x.y first runs the ``__init__`` of every package above it (warroom.x,
  warroom): those are edges too, *except* to a package M itself lives in. Python has started
  M's own packages before M runs (they are in ``sys.modules`` while their ``__init__`` is
  still going), so the implicit import of one's own package waits for nothing. This is why a
  package's ``__init__`` re-exporting its submodules (``warroom/actions/__init__.py``
  importing ``warroom.actions.approvals``, which imports ``warroom.actions._common``) is no
  cycle. An explicit import of M's own package is an edge all the same: ``from warroom.actions
  import Done`` in ``warroom/actions/approvals.py`` needs the ``__init__`` to have defined
  ``Done`` already, while that ``__init__`` is waiting for approvals: a real cycle.
- A module importing itself is not an edge (it waits for nothing).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "warroom"
MAX_LINES = 400
MAX_TOP_LEVEL = 12


# -- the import graph -------------------------------------------------------------------


def module_name(path: Path, root: Path) -> str:
    """``root/actions/__init__.py`` -> ``warroom.actions`` (with root named warroom)."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(body: list[ast.stmt]):
    """The Import/ImportFrom statements that run when the module is imported."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _runtime_imports(node.orelse)
        else:  # if/else, try/except/finally, with, for, while, match, class bodies
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(node, field, []) or []:
                    yield from _runtime_imports(child.body if isinstance(
                        child, (ast.ExceptHandler, ast.match_case)) else [child])


def _ancestors(name: str) -> list[str]:
    """``warroom.a.b`` -> ``["warroom.a", "warroom"]``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def import_graph(root: Path | None = None) -> tuple[dict[str, dict[str, str]], dict[str, Path]]:
    """Every module of the package under ``root`` (default: warroom) and the modules it
    imports at import time: ``{module: {imported module: "file:line"}}``, and each module's
    file."""
    root = PACKAGE if root is None else root
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    packages = {name for name, p in files.items() if p.name == "__init__.py"}
    graph: dict[str, dict[str, str]] = {}
    for name, path in files.items():
        own = set(_ancestors(name)) | {name}
        package = name if name in packages else name.rpartition(".")[0]
        edges: dict[str, str] = {}

        def add(target: str, line: int, *, explicit: bool) -> None:
            # Only modules of this package, and never the module itself.
            for i, module in enumerate([target, *_ancestors(target)]):
                if module not in files or module == name:
                    continue
                if (i > 0 or not explicit) and module in own:
                    continue  # the implicit import of a package M lives in: it is started
                edges.setdefault(module, f"{path.relative_to(root.parent)}:{line}")

        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _runtime_imports(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name, node.lineno, explicit=True)
                continue
            if node.level:  # relative: from the package M is in, up level - 1 packages
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in files:
                    add(submodule, node.lineno, explicit=True)
                    add(source, node.lineno, explicit=False)
                else:
                    add(source, node.lineno, explicit=True)
        graph[name] = edges
    return graph, files


def find_cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module, as a path
    ``[a, b, ..., a]`` (Tarjan's algorithm, iterative; a BFS inside the component for the
    shortest way back to its first module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    cycles = []
    for component in components:
        members = set(component)
        first = component[0]
        came_from: dict[str, str] = {}
        frontier = [first]
        while frontier and first not in came_from:
            nxt = []
            for node in frontier:
                for child in sorted(graph[node]):
                    if child in members and child not in came_from:
                        came_from[child] = node
                        nxt.append(child)
            frontier = nxt
        path = [first]
        node = came_from[first]
        while node != first:
            path.append(node)
            node = came_from[node]
        path.append(first)
        cycles.append(path[::-1])
    return cycles


def describe(cycle: list[str], graph: dict[str, dict[str, str]]) -> str:
    """``a -> b (warroom/a.py:3) -> a (warroom/b.py:5)``."""
    steps = [cycle[0]] + [f"{b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:])]
    return " -> ".join(steps)


# -- the tests ----------------------------------------------------------------------------


def test_no_import_cycles():
    graph, _ = import_graph()
    # Not vacuous: the graph sees the package's real imports.
    assert "warroom.db.store" in graph["warroom.actions._common"]
    assert "warroom.actions.approvals" in graph["warroom.actions"]
    cycles = find_cycles(graph)
    assert cycles == [], "import cycles:\n" + "\n".join(describe(c, graph) for c in cycles)


def test_no_module_over_400_lines():
    too_long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[str(path.relative_to(PACKAGE.parent))] = lines
    assert too_long == {}, f"modules over {MAX_LINES} lines: {too_long}"


def test_few_modules_directly_in_the_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, f"{len(top)} modules in warroom/ (at most " \
        f"{MAX_TOP_LEVEL}; put new ones in a subpackage): {top}"


# -- the cycle check itself, on small trees in tmp_path ------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


def test_the_check_finds_a_cycle_and_names_its_path(tmp_path):
    package = _tree(tmp_path, {
        "__init__.py": "",
        "a.py": "from pkg.b import f\n",
        "b.py": "import os\n\nfrom pkg import a\n\ndef f():\n    pass\n",
        "c.py": "from pkg.a import x\n",
    })
    graph, _ = import_graph(package)
    cycles = find_cycles(graph)
    assert cycles == [["pkg.a", "pkg.b", "pkg.a"]]
    assert describe(cycles[0], graph) == \
        "pkg.a -> pkg.b (pkg/a.py:1) -> pkg.a (pkg/b.py:3)"


def test_the_check_follows_packages_and_relative_imports(tmp_path):
    # sub/__init__ -> sub.x -> other (implicitly via other.y) -> sub (relative import)
    package = _tree(tmp_path, {
        "__init__.py": "",
        "sub/__init__.py": "from pkg.sub.x import X\n",
        "sub/x.py": "from pkg.other.y import Y\nX = 1\n",
        "other/__init__.py": "from .. import sub\n",
        "other/y.py": "Y = 1\n",
    })
    graph, _ = import_graph(package)
    assert find_cycles(graph) == [["pkg.other", "pkg.sub", "pkg.sub.x", "pkg.other"]]


def test_what_is_not_a_cycle(tmp_path):
    package = _tree(tmp_path, {
        "__init__.py": "",
        # A package re-exporting its submodules, which import each other and the package
        # implicitly (by a submodule path or by name): no cycle.
        "act/__init__.py": "from pkg.act.one import f\nfrom pkg.act.two import g\n",
        "act/one.py": "from pkg.act._common import Done\nfrom pkg.act import two\n",
        "act/two.py": "import pkg.act._common\n",
        "act/_common.py": "Done = 1\n",
        # Imports that do not run at import time.
        "lazy.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                    "    from pkg.user import u\n\ndef later():\n    from pkg.user import u\n"),
        "user.py": "from pkg.lazy import later\nu = 1\n",
    })
    graph, _ = import_graph(package)
    assert graph["pkg.act.one"] == {"pkg.act._common": "pkg/act/one.py:1",
                                    "pkg.act.two": "pkg/act/one.py:2"}
    assert graph["pkg.lazy"] == {}
    assert find_cycles(graph) == []


def test_importing_names_from_ones_own_package_is_a_cycle(tmp_path):
    package = _tree(tmp_path, {
        "__init__.py": "",
        "act/__init__.py": "from pkg.act.one import f\nDone = 1\n",
        "act/one.py": "from pkg.act import Done\n\ndef f():\n    pass\n",
    })
    graph, _ = import_graph(package)
    assert find_cycles(graph) == [["pkg.act", "pkg.act.one", "pkg.act"]]
