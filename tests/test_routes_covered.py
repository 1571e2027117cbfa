"""Every endpoint of the application appears in some domain's authorization matrix.

Each tests/<domain>/test_authorization.py defines EXPECTED = {endpoint: {role: status}}; a new
route without a line there fails this test, naming the route.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from consult import create_app

from . import helpers

TESTS = Path(__file__).resolve().parent
ROLES = set(helpers.ROLES)


def _import(path: Path):
    """The module at `path`, under its package name when its folders are packages."""
    folders = path.relative_to(TESTS.parent).parents
    if all((TESTS.parent / folder / "__init__.py").exists() for folder in list(folders)[:-1]):
        dotted = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        return importlib.import_module(dotted)
    spec = importlib.util.spec_from_file_location(f"_authorization_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def collect_expected() -> dict[str, dict[str, int]]:
    expected: dict[str, dict[str, int]] = {}
    for path in sorted(TESTS.glob("**/test_authorization.py")):
        module = _import(path)
        for endpoint, statuses in module.EXPECTED.items():
            assert endpoint not in expected, f"{endpoint} is in two authorization matrices"
            expected[endpoint] = statuses
    return expected


def app_endpoints() -> set[str]:
    app = create_app("test")
    return {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}


def test_every_endpoint_has_an_authorization_test():
    missing = sorted(app_endpoints() - set(collect_expected()))
    assert not missing, "endpoints missing from every test_authorization.py EXPECTED: " + ", ".join(
        missing
    )


def test_authorization_matrices_name_real_endpoints_and_every_role():
    expected = collect_expected()
    unknown = sorted(set(expected) - app_endpoints())
    assert not unknown, "EXPECTED names endpoints the app does not have: " + ", ".join(unknown)
    for endpoint, statuses in expected.items():
        assert set(statuses) == ROLES, endpoint
