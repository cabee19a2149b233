"""The house's shape, checked: the import graph of `outreach/`, its cycles, and the rules of
docs/architecture.md that a reader of the imports can check.

    python -m tools.layers            # the findings; exit 1 if there are any
    python -m tools.layers --graph    # also every area's imports of other areas

What it reads: every `import` of an `outreach` module in every module of the package, at the
top or inside a function (a late import is still a dependency), but not under
`if TYPE_CHECKING:`. `from outreach.x import name` counts as importing the module
`outreach.x.name` when there is one, else `outreach.x`.

What it finds:
- cycles between modules;
- cycles between areas (the packages under outreach/: an area imports another when one of its
  modules imports one of the other's);
- imports against the layers: an area importing an area later in AREA_ORDER; a shared module
  (CORE) importing an area; a model importing anything but models and shared modules; the
  policy importing more than models; a service importing Flask's request state;
- views that query or commit themselves (they call services; transaction.py commits);
- modules longer than MAX_LINES.
"""

import argparse
import ast
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from outreach import AREAS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "outreach"

#: The areas from the bottom up: an area may import the areas before it, never one after.
#: The organisation (org: teams, areas, places) under all; then the app's areas in their order.
AREA_ORDER = ("org", *AREAS)

#: Shared modules under every area: they import no area (policy.py, which knows the models,
#: and the modules that put the app together are not among them).
CORE = {
    "assets",
    "audit",
    "backup",
    "clock",
    "config",
    "crypto",
    "editing",
    "errors",
    "errors_views",
    "exports",
    "extensions",
    "fields",
    "htmx",
    "i18n",
    "identifiers",
    "ids",
    "observability",
    "rate_limits",
    "refusals",
    "crypto_cli",
    "audit_verify",
    "paging",
    "pdf",
    "personnummer",
    "rules",
    "submissions",
    "transaction",
    "views_common",
    "vocabulary",
    "withdrawals",
    "workers",
    "metrics",
}
#: The modules that put the app together: they may import anything.
TOP = {PACKAGE, f"{PACKAGE}.demo", f"{PACKAGE}.demo_data"}
POLICY = {f"{PACKAGE}.policy", f"{PACKAGE}.scopes"}
#: What a service or model may not touch: the state of the request being served.
REQUEST_STATE = {("flask", "request"), ("flask", "session"), ("flask", "g")}
REQUEST_STATE |= {("flask_login", "current_user")}
#: The one module that commits for a request (CLI commands commit for themselves).
COMMITTER = f"{PACKAGE}.transaction"
MAX_LINES = 400
#: What a view reaches the database through when it queries itself.
DB_ACCESS = ("session", "get_or_404", "first_or_404", "one_or_404", "paginate")


@dataclass
class Import:
    """One import of an app module: where it is written and what it names."""

    source: str
    target: str
    line: int


@dataclass
class Module:
    """A module of the package, what it imports and what the checks need of its text."""

    name: str
    path: Path
    lines: int
    imports: list[Import] = field(default_factory=list)
    #: (module, name) imported from outside the package (flask.request …), with the line.
    outside: list[tuple[str, str, int]] = field(default_factory=list)
    #: Lines where the module reaches the database itself (db.session …) or calls select().
    queries: list[int] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _under_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Reader(ast.NodeVisitor):
    def __init__(self, module: Module, known: set[str]):
        self.module, self.known = module, known

    def visit_If(self, node: ast.If):
        if _under_type_checking(node):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _add(self, target: str, line: int):
        self.module.imports.append(Import(self.module.name, target, line))

    def visit_Import(self, node: ast.Import):
        for alias in node.names:
            if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: resolved against this module's package
            package = self.module.name.split(".")
            if self.module.path.name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        if base == PACKAGE or base.startswith(PACKAGE + "."):
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                self._add(candidate if candidate in self.known else base, node.lineno)
        else:
            for alias in node.names:
                self.module.outside.append((base, alias.name, node.lineno))

    def visit_Attribute(self, node: ast.Attribute):
        value = node.value
        if (
            isinstance(value, ast.Name)
            and value.id == "db"
            and node.attr in ("session", "get_or_404")
        ):
            self.module.queries.append(node.lineno)
        if node.attr == "commit" and _is_session(value):
            self.module.commits.append(node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call):
        function = node.func
        if isinstance(function, ast.Name) and function.id == "select":
            self.module.queries.append(node.lineno)
        self.generic_visit(node)


def _is_session(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "session") or (
        isinstance(node, ast.Name) and node.id == "session"
    )


def read_package(root: Path = ROOT) -> dict[str, Module]:
    """Every module of the package with its imports."""
    paths = sorted((root / PACKAGE).rglob("*.py"))
    known = {module_name(path, root) for path in paths}
    modules = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        module = Module(module_name(path, root), path.relative_to(root), len(text.splitlines()))
        _Reader(module, known).visit(ast.parse(text, str(path)))
        modules[module.name] = module
    return modules


# --- what a module is ---------------------------------------------------------------------------


def area_of(name: str) -> str | None:
    """The area a module belongs to (`outreach.youths.services` → "youths"), or None for the
    shared modules and the package itself."""
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in AREA_ORDER) else None


def kind_of(name: str) -> str:
    """ "models", "views", "services" (any other module of an area), "core", "policy", "top"."""
    if name in TOP:
        return "top"
    if name in POLICY:
        return "policy"
    area = area_of(name)
    if area is None:
        return "core"
    last = name.split(".")[-1]
    if last == "models":
        return "models"
    if last == "views" or last.endswith("_views"):
        return "views"
    return "services"


# --- cycles -------------------------------------------------------------------------------------


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one node (Tarjan): each is one or more cycles
    through its nodes (sorted)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def one_cycle(part: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest way from the first node of a strongly connected part back to itself."""
    members, start = set(part), part[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(edges.get(node, ())):
                if target == start:
                    return paths[node] + [start]
                if target in members and target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    return part


def module_graph(modules: dict[str, Module]) -> dict[str, set[str]]:
    graph = defaultdict(set)
    for module in modules.values():
        graph[module.name]
        for imported in module.imports:
            if imported.target != module.name:
                graph[module.name].add(imported.target)
    return graph


def area_graph(modules: dict[str, Module]) -> dict[str, dict[str, list[Import]]]:
    """area → imported area → the imports that make the edge."""
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for module in modules.values():
        source = area_of(module.name)
        if source is None:
            continue
        graph[source]
        for imported in module.imports:
            target = area_of(imported.target)
            if target is not None and target != source:
                graph[source][target].append(imported)
    return graph


# --- the rules ----------------------------------------------------------------------------------


def _where(module: Module, line: int) -> str:
    return f"{module.path}:{line}"


def violations(modules: dict[str, Module]) -> list[str]:
    """Every import or line against the layers, as "file:line: what"."""
    found = []
    rank = {area: position for position, area in enumerate(AREA_ORDER)}
    for module in modules.values():
        kind, area = kind_of(module.name), area_of(module.name)
        if area is not None and area not in rank:
            found.append(f"{_where(module, 1)}: the area {area} is not in AREA_ORDER")
            continue
        if kind == "core" and module.name.split(".")[-1] not in CORE and module.name != PACKAGE:
            found.append(f"{_where(module, 1)}: a shared module not listed in CORE")
        for imported in module.imports:
            target, target_area = imported.target, area_of(imported.target)
            target_kind = kind_of(target)
            where = _where(module, imported.line)
            if kind == "top":
                continue
            if target in TOP:
                found.append(
                    f"{where}: {module.name} imports {target}, which puts the app together"
                )
            elif kind == "core" and (target_area is not None or target in POLICY):
                found.append(f"{where}: the shared module {module.name} imports {target}")
            elif kind == "models" and target_kind not in ("models", "core"):
                found.append(f"{where}: the model module {module.name} imports {target}")
            elif kind == "policy" and target_kind not in ("models", "core", "policy"):
                found.append(f"{where}: the policy imports {target} (only models and shared)")
            elif (
                area is not None
                and target_area is not None
                and target_area != area
                and rank.get(target_area, -1) > rank[area]
            ):
                found.append(f"{where}: {area} imports {target} of {target_area}, an area above it")
            elif kind in ("models", "services") and target_kind == "views":
                found.append(f"{where}: {module.name} imports the views {target}")
        if kind in ("models", "services"):
            for source, name, line in module.outside:
                if (source, name) in REQUEST_STATE:
                    found.append(f"{_where(module, line)}: {module.name} reads {source}.{name}")
        if kind == "views" or module.name.endswith(".views_common"):
            for line in sorted(set(module.queries)):
                found.append(f"{_where(module, line)}: a view queries the database itself")
        if module.name != COMMITTER and not _commits_for_itself(module):
            for line in module.commits:
                found.append(f"{_where(module, line)}: commits (transaction.py does, once)")
    return found


def _commits_for_itself(module: Module) -> bool:
    """Command-line commands and the demo loader are their own unit of work."""
    last = module.name.split(".")[-1]
    return last in ("cli", "demo", "backup") or last.endswith("_cli") or module.name == PACKAGE


def long_modules(modules: dict[str, Module]) -> list[str]:
    return [
        f"{module.path}: {module.lines} lines (at most {MAX_LINES})"
        for module in modules.values()
        if module.lines > MAX_LINES
    ]


# --- the report ---------------------------------------------------------------------------------


def findings(modules: dict[str, Module]) -> dict[str, list[str]]:
    """The report's sections, each a list of findings (all empty: the house is in order)."""
    areas = area_graph(modules)
    area_edges = {area: set(targets) for area, targets in areas.items()}
    return {
        "module cycles": [
            _cycle_of_modules(part, modules) for part in cycles(module_graph(modules))
        ],
        "area cycles": [_cycle_of_areas(part, areas) for part in cycles(area_edges)],
        "imports against the layers": violations(modules),
        "long modules": long_modules(modules),
    }


def _cycle_of_modules(part: list[str], modules: dict[str, Module]) -> str:
    return " → ".join(one_cycle(part, module_graph(modules)))


def _cycle_of_areas(part: list[str], areas) -> str:
    """The areas of one cycle, and each pair of them that import each other (with where)."""
    members = set(part)
    mutual = []
    for source in part:
        for target in sorted(areas[source]):
            if target in members and source < target and source in areas[target]:
                there, back = areas[source][target][0], areas[target][source][0]
                mutual.append(
                    f"{source} ↔ {target} ({there.source}:{there.line} imports {there.target}; "
                    f"{back.source}:{back.line} imports {back.target})"
                )
    edges = {area: set(targets) & members for area, targets in areas.items() if area in members}
    lines = [f"{len(part)} areas: " + " → ".join(one_cycle(part, edges)), *mutual]
    return "\n    ".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", action="store_true", help="print each area's imports too")
    arguments = parser.parse_args(argv)
    modules = read_package()
    report = findings(modules)
    total = sum(len(items) for items in report.values())
    edges = sum(len(m.imports) for m in modules.values())
    print(f"{len(modules)} modules, {edges} imports of app modules")
    if arguments.graph:
        areas = area_graph(modules)
        print("\nareas and the areas they import:")
        for area in AREA_ORDER:
            if area in areas:
                print(f"  {area:14} → {', '.join(sorted(areas[area])) or '–'}")
    for heading, items in report.items():
        print(f"\n{heading}: {len(items) or 'none'}")
        for item in items:
            print(f"  {item}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
