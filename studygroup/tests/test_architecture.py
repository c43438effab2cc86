"""The house's rules, read from the code (``ast``): dependencies between the apps run one way,
members ← plans ← sessions ← work ← reports, notifications depend on members only, the audit
app on members only, the shared helpers of ``studygroup/`` on no app; and no two modules import
each other. Imports inside functions count: they are imports all the same."""

import ast
from collections import defaultdict
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("members", "plans", "sessions", "reports", "studygroup")

# What each part may import besides itself and the shared helpers (``studygroup``).
ALLOWED = {
    "members": set(),
    "notifications": {"members"},
    "plans": {"members", "notifications"},
    "sessions": {"members", "notifications", "plans"},
    "work": {"members", "notifications", "plans", "sessions"},
    "reports": {"members", "notifications", "plans", "sessions", "work"},
    "audit": {"members"},
    "studygroup": set(),
}
# The project's own wiring may name every app: its URLs and its commands (seed_demo, figures).
# The home page and the navigation's counts are the project's too, and the backups cover every app.
PROJECT_LEVEL = ("studygroup.urls", "studygroup.management.commands.", "studygroup.views",
                 "studygroup.context_processors", "studygroup.backups")


def is_test(module: str) -> bool:
    """Tests drive the whole project as a user would (a reminder test makes a meeting), so they may
    import any app; the order binds the application's code."""
    return ".tests." in f".{module}." or module.endswith(".robot_sink")


def part_of(module: str) -> str | None:
    if module == "members.work" or module.startswith("members.work."):
        return "work"
    if module == "members.notifications" or module.startswith("members.notifications."):
        return "notifications"
    if module == "studygroup.audit" or module.startswith("studygroup.audit."):
        return "audit"
    top = module.split(".")[0]
    return top if top in PACKAGES else None


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts)
            if name.endswith(".__init__"):
                name = name[: -len(".__init__")]
            yield name, path


KNOWN = {name for name, _path in modules()}


def imports_of(name: str, path: Path) -> list[tuple[str, int]]:
    """Every project module ``name`` imports (at the top or inside a function), with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # ``from members import scoping`` imports the module members.scoping (and runs the
            # package's __init__, which holds nothing here).
            submodules = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in KNOWN]
            found += [(sub, node.lineno) for sub in submodules] if submodules else [(module, node.lineno)]
    return [(module, line) for module, line in found if part_of(module)]



def test_every_import_follows_the_order_of_the_apps():
    wrong = []
    for name, path in modules():
        if name.startswith(PROJECT_LEVEL) or is_test(name) or name in ("studygroup.settings", "studygroup.test_settings"):
            continue
        mine = part_of(name)
        for module, line in imports_of(name, path):
            theirs = part_of(module)
            if theirs == mine or (theirs == "studygroup" and not module.startswith(PROJECT_LEVEL)):
                continue
            if theirs not in ALLOWED[mine]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {mine} imports {module} ({theirs})")
    assert not wrong, "imports against the order members ← plans ← sessions ← work ← reports:\n" + "\n".join(wrong)


def test_members_models_hold_only_people_and_organisations():
    tree = ast.parse((ROOT / "members" / "models.py").read_text(encoding="utf-8"))
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert classes <= {
        "OrganizationQuerySet", "OrganizationManager", "Organization", "StudyGroupQuerySet", "StudyGroup",
        "UserQuerySet", "PersonManager", "User", "TermQuerySet", "MembershipQuerySet", "Membership",
        "AssignmentQuerySet", "OrganizationAssignment",
        # How people come in: a roster file, its preview and whom it brought in.
        "RosterImportQuerySet", "RosterImport",
    }


def test_no_two_modules_import_each_other():
    known = KNOWN
    graph = defaultdict(set)
    for name, path in modules():
        for module, _line in imports_of(name, path):
            if module in known and module != name:
                graph[name].add(module)
    # Cycles of any length (Tarjan's strongly connected components).
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    assert not cycles, "modules that import each other:\n" + "\n".join(" ↔ ".join(c) for c in cycles)


def test_no_test_asserts_several_things_at_once():
    """``assert a and b`` fails without saying which part broke: one assert a fact."""
    compound = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("test_*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Assert) and isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.And):
                    compound.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not compound, "split these asserts:\n" + "\n".join(compound)
