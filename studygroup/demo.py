"""The demo (``manage.py seed_demo``): each app's ``demo.seed`` in dependency order, members
first; each later one takes the members demo's result (the county, its groups, the accounts to
print, which later demos may add to).
Named by module path so this module imports no app."""

import importlib

DEMOS = (
    "members.demo",
    "plans.demo",
    "sessions.demo",
    "members.work.demo",  # reflections for the meetings members attended
    "reports.demo",
    "members.notifications.demo",  # the daily reading, robots, and every reminder rule run once
    "studygroup.audit.demo",  # the administrators' two-factor backup codes
)


def seed(*, build_pdfs: bool = True) -> dict:
    """``build_pdfs=False`` leaves the documents' PDFs to be built when first asked for (the
    checks and tests that seed the demo only to have data save a dozen seconds)."""
    result = importlib.import_module(DEMOS[0]).seed()
    result["build_pdfs"] = build_pdfs
    for name in DEMOS[1:]:
        importlib.import_module(name).seed(result)
    return result
