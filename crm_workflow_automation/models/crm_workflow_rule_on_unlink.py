# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Record deleted": the actions run after the record is gone,
so only the types that need no record may be chosen
(``_runs_on_deleted_records``)."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_unlink", "Record deleted")],
        ondelete={"on_unlink": "cascade"},
    )

    @api.model
    def _trigger_events_on_unlink(self):
        return ("unlink",)

    @api.model
    def _trigger_event_labels_on_unlink(self):
        return {"unlink": self.env._("Deleted")}

    @api.model
    def _trigger_icon_on_unlink(self):
        return "fa-trash"

    @api.model
    def _trigger_record_gone_on_unlink(self):
        return True
