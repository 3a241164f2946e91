"""The packages form layers: the import graph between top-level packages has no cycle, and the domain
packages (plain Python) never import the web framework or the UI packages.

The graph is read from the source with ast (every `import` / `from ... import`, also those inside
functions), so a lazy import cannot hide an edge."""
import ast
from collections import defaultdict

from tests.conftest import ROOT

SKIPPED = {"tests", "bench", ".venv"}
DOMAIN = {"geo", "store", "cameras", "complaints", "flood", "tax", "monitor", "alerts", "imports", "planning",
          "leaders", "portal", "demo", "i18n", "config", "auth", "uploads"}
"""Plain Python: no web framework, no pages. (auth: accounts, roles, audit; its web glue is routes.auth.)"""
UI = {"dash", "dash_leaflet", "dash_extensions", "flask", "flask_login", "flask_wtf", "flask_limiter", "layouts", "callbacks",
      "routes"}


def top_level_names():
    modules = {p.stem for p in ROOT.glob("*.py")}
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    return (modules | packages) - SKIPPED


def imported_names(path, module):
    """The absolute dotted names a file imports (relative imports resolved against `module`)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            yield ".".join(base + ([node.module] if node.module else []))


def import_edges():
    """{(importing package, imported top-level name): ["module:name", ...]} for every import of the repo's code."""
    tops = top_level_names()
    edges = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] in SKIPPED or parts[0] not in tops:
            continue
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for name in imported_names(path, module):
            target = name.split(".")[0]
            if target != parts[0]:
                edges[(parts[0], target)].append(f"{module} imports {name}")
    return edges


def find_cycle(graph):
    """One cycle of the directed graph as a list of nodes (first == last), or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_packages_import_each_other_without_a_cycle():
    edges = import_edges()
    tops = top_level_names()
    graph = defaultdict(set)
    for source, target in edges:
        if target in tops:
            graph[source].add(target)
    cycle = find_cycle(graph)
    assert cycle is None, "package import cycle: " + " -> ".join(cycle) + "\n" + "\n".join(
        f"  {a} -> {b}: {'; '.join(sorted(set(edges[(a, b)])))}" for a, b in zip(cycle, cycle[1:]))


def test_domain_packages_import_no_web_or_ui_code():
    offending = {edge: where for edge, where in import_edges().items() if edge[0] in DOMAIN and edge[1] in UI}
    assert not offending, "\n".join(f"{a} -> {b}: {'; '.join(where)}" for (a, b), where in sorted(offending.items()))


def test_the_scan_sees_lazy_and_relative_imports(tmp_path):
    module = tmp_path / "mod.py"
    module.write_text("from . import sibling\nfrom ..other import x\n\n\ndef main():\n    import geo.crs\n")
    assert set(imported_names(module, "pkg.sub.mod")) == {"pkg.sub", "pkg.other", "geo.crs"}
    assert ("leaders", "auth") in import_edges()  # made only by an import inside a function (leaders.rollup._users)


def test_a_cycle_is_found_and_named():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a", "d"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}}) is None
