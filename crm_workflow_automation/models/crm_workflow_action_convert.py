# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("convert", "Convert to Opportunity")],
        ondelete={"convert": "cascade"},
    )
    convert_partner_action = fields.Selection(
        [
            ("create", "Create a new customer"),
            ("exist", "Link to an existing customer"),
            ("nothing", "Do not link to a customer"),
        ],
        string="Customer",
        default="create",
    )

    def _check_convert(self):
        if self.model_name != "crm.lead":
            self._raise_config(
                self.env._("only leads can be converted to opportunities.")
            )

    def _run_convert(self, records, run):
        """As CRM's own conversion wizard: handle the customer, then convert."""
        leads = records.filtered(lambda lead: lead.type == "lead" and lead.active)
        mode = self.convert_partner_action
        for lead in leads:
            if mode == "exist":
                partner = lead._find_matching_partner()
                lead._handle_partner_assignment(
                    force_partner_id=partner.id, create_missing=False
                )
            elif mode == "create":
                lead._handle_partner_assignment(create_missing=True)
            lead.convert_opportunity(lead.partner_id)

    def _fields_written_convert(self):
        return {"type", "partner_id"}

    def _test_convert(self, records, run):
        return self._test_by_running(records, run)

    def _effects_in_database_convert(self):
        """The conversion writes the lead (and may create its customer)."""
        return True
