# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Restore the code that the first 18.0.1.2.0 migration replaced: it turned
a function's code that had a bare ``except:`` into its lines commented out
and ``raise UserError('Fix this function')``, so the rules calling it failed
on every run. The code as written comes back (a bare ``except:`` runs as
``except Exception:`` now) and the function is flagged for review, with a
task for the responsible of each rule calling it: the calls since that
upgrade failed."""

from odoo import SUPERUSER_ID, api

DISABLED_TAIL = "raise UserError('Fix this function')"


def original_code(code):
    """The code the old migration commented out, or None if ``code`` is not
    exactly what it wrote (a user has edited it since)."""
    lines = (code or "").rstrip("\n").split("\n")
    if len(lines) < 2 or lines[-1] != DISABLED_TAIL:
        return None
    if not all(line.startswith("# ") for line in lines[:-1]):
        return None
    return "\n".join(line[2:] for line in lines[:-1])


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    cr.execute(
        "SELECT id, code FROM crm_workflow_function WHERE code LIKE %s",
        [f"%{DISABLED_TAIL}%"],
    )
    restored = []
    for function_id, code in cr.fetchall():
        original = original_code(code)
        if original is None:
            continue
        cr.execute(
            "UPDATE crm_workflow_function SET code = %s WHERE id = %s",
            [original, function_id],
        )
        restored.append(function_id)
    functions = env["crm.workflow.function"].browse(restored)
    functions.invalidate_recordset(["code"])
    functions._flag_for_review("restored")
