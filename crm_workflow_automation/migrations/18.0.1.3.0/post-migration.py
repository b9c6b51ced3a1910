# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run log retention: first_match rules read the records they ran for from
their own table, and the status report from its daily table; both are
filled from the runs already logged (before any purge)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.workflow.rule.done"]._fill_from_runs()
    env["crm.workflow.run.daily"]._fill_from_runs()
