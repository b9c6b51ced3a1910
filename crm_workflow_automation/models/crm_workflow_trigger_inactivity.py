# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "No change for a number of days": an opportunity has
not changed for ``inactivity_days`` (an hourly cron, one indexed query)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Datetime


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("inactivity", "No change for a number of days")],
        ondelete={"inactivity": "cascade"},
    )
    inactivity_days = fields.Integer(string="Days without change", default=7)

    def init(self):
        # The hourly inactivity tick reads opportunities by write_date.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_lead_write_date_idx"
            " ON crm_lead (write_date) WHERE active"
        )

    @api.model
    def _trigger_events_inactivity(self):
        return ("inactivity",)

    @api.model
    def _trigger_event_labels_inactivity(self):
        return {"inactivity": self.env._("No activity for a while")}

    @api.model
    def _trigger_icon_inactivity(self):
        return "fa-hourglass-half"

    def _trigger_check_inactivity(self):
        if self.inactivity_days < 1:
            raise ValidationError(
                self.env._(
                    "Trigger “%(name)s”: the number of days must be at least 1.",
                    name=self.name,
                )
            )

    def _trigger_summary_inactivity(self):
        return self.env._("No change for %(days)s days", days=self.inactivity_days)

    def _inactive_ids(self, now=None):
        """Opportunities without change for ``inactivity_days``: one indexed
        query on write_date, never a loop over records."""
        cutoff = (now or Datetime.now()) - timedelta(days=self.inactivity_days)
        domain = [("write_date", "<", cutoff), ("stage_id", "!=", self.stage_id.id)]
        domain += self._scope_domain()
        Lead = self.env["crm.lead"].sudo()
        query = Lead._search(domain)
        return [row[0] for row in self.env.execute_query(query.select())]

    @api.model
    def _cron_inactivity(self):
        """Hourly: fire the inactivity triggers."""
        engine = self.env["crm.workflow.engine"]
        for trigger in self.search([("trigger_type", "=", "inactivity")]):
            ids = trigger._inactive_ids()
            if ids:
                engine._fire_triggers("inactivity", "crm.lead", ids, triggers=trigger)
