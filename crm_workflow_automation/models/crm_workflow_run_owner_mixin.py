# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields, models


class CrmWorkflowRunOwnerMixin(models.AbstractModel):
    """What rules, robots, triggers and functions show of their runs: the
    counts of the last 30 days, from the status report (so they survive the
    run log's retention), and buttons to the report and to the log. A model
    says which column of the run log names it in ``_run_owner_field``."""

    _name = "crm.workflow.run.owner.mixin"
    _description = "Workflow runs of a rule, robot, trigger or function"
    _run_owner_field = None

    report_run_count_30d = fields.Integer(
        compute="_compute_report_30d", string="Runs (30 days)"
    )
    report_record_count_30d = fields.Integer(
        compute="_compute_report_30d", string="Records affected (30 days)"
    )
    report_action_count_30d = fields.Integer(
        compute="_compute_report_30d", string="Actions (30 days)"
    )
    report_failed_count_30d = fields.Integer(
        compute="_compute_report_30d", string="Failures (30 days)"
    )

    def _compute_report_30d(self):
        owner = self._run_owner_field
        stats = {}
        if self.ids:
            since = fields.Date.context_today(self) - timedelta(days=29)
            Daily = self.env["crm.workflow.run.daily"].sudo()
            for record, runs, records, actions, failed in Daily._read_group(
                [(owner, "in", self.ids), ("day", ">=", since)],
                [owner],
                [
                    "run_count:sum",
                    "record_count:sum",
                    "action_count:sum",
                    "failed_count:sum",
                ],
            ):
                stats[record.id] = (runs, records, actions, failed)
        for record in self:
            runs, records, actions, failed = stats.get(record.id, (0, 0, 0, 0))
            record.report_run_count_30d = runs
            record.report_record_count_30d = records
            record.report_action_count_30d = actions
            record.report_failed_count_30d = failed

    def action_view_status_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_workflow_automation.crm_workflow_run_daily_action"
        )
        action["domain"] = [(self._run_owner_field, "=", self.id)]
        action["context"] = {"search_default_filter_last_30_days": 1}
        return action

    def action_view_run_log(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_workflow_automation.crm_workflow_run_action"
        )
        action["domain"] = [(self._run_owner_field, "=", self.id)]
        action["context"] = {}
        return action
