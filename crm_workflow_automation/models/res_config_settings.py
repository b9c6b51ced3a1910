# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_workflow_parallel_runners = fields.Integer(
        string="Parallel runners",
        config_parameter="crm_workflow_automation.parallel_runners",
        default=2,
        help="How many scheduled-job runners may work at once. Each is a cron "
        "job; with several Odoo workers or servers they run side by side.",
    )
    crm_workflow_webhook_timeout = fields.Integer(
        string="Webhook timeout (s)",
        config_parameter="crm_workflow_automation.webhook_timeout",
        default=10,
    )
    crm_workflow_webhook_allowed_hosts = fields.Char(
        string="Internal hosts allowed for webhooks",
        config_parameter="crm_workflow_automation.webhook_allowed_hosts",
        help="Comma-separated host names that webhooks may reach although they "
        "resolve to internal addresses (loopback, private network).",
    )
    crm_workflow_max_chain_depth = fields.Integer(
        string="Maximum chain of rules",
        config_parameter="crm_workflow_automation.max_chain_depth",
        default=5,
        help="A rule whose action fires another rule starts a chain; past this "
        "depth the loop guard stops it and logs the chain.",
    )
    crm_workflow_preview_threshold = fields.Integer(
        string="Preview warning threshold",
        config_parameter="crm_workflow_automation.preview_threshold",
        default=1000,
        help="The preview of a rule warns when more records than this would be "
        "touched at once. 0: no warning.",
    )
    crm_workflow_failure_threshold = fields.Integer(
        string="Pause a rule after failures in a row",
        config_parameter="crm_workflow_automation.failure_threshold",
        default=20,
    )
    crm_workflow_run_retention_days = fields.Integer(
        string="Keep the run log (days)",
        config_parameter="crm_workflow_automation.run_retention_days",
        default=90,
        help="Runs older than this are deleted every day; the status report "
        "keeps their counts. 0 keeps every run.",
    )

    def set_values(self):
        res = super().set_values()
        self.env["crm.workflow.job"].sudo()._sync_runner_crons(
            max(1, self.crm_workflow_parallel_runners or 1)
        )
        return res

    @api.constrains("crm_workflow_run_retention_days")
    def _check_retention(self):
        for settings in self:
            if settings.crm_workflow_run_retention_days < 0:
                raise ValidationError(
                    self.env._("The run log retention cannot be negative days.")
                )

    @api.constrains("crm_workflow_parallel_runners", "crm_workflow_webhook_timeout")
    def _check_positive(self):
        for settings in self:
            if (
                settings.crm_workflow_parallel_runners < 1
                or settings.crm_workflow_webhook_timeout < 1
            ):
                raise ValidationError(
                    self.env._(
                        "Parallel runners and the webhook timeout must be at least 1."
                    )
                )
