#!/usr/bin/env python3
# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fail when a test module of an add-on is not imported by its
tests/__init__.py: Odoo's runner (make test-odoo) and OCA's CI only run those.
A module that is for pytest only says so in its docstring ("pytest only")."""

import ast
import sys
from pathlib import Path


def unimported(addon):
    tests = Path(addon) / "tests"
    init = tests / "__init__.py"
    if not init.exists():
        return []
    imported = {
        alias.name
        for node in ast.walk(ast.parse(init.read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    missing = []
    for module in sorted(tests.glob("test_*.py")):
        if module.stem in imported:
            continue
        doc = ast.get_docstring(ast.parse(module.read_text())) or ""
        if "pytest only" not in doc.lower():
            missing.append(str(module))
    return missing


def main(addons):
    missing = [path for addon in addons for path in unimported(addon)]
    for path in missing:
        print(
            f"ERROR: {path} is not imported by its tests/__init__.py (Odoo's "
            "runner would not run it); import it, or say 'pytest only' and why "
            "in its docstring",
            file=sys.stderr,
        )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
