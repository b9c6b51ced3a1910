# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    workflow_robot_ids = fields.One2many(
        "crm.workflow.robot", "stage_id", string="Automation rules"
    )
    workflow_trigger_ids = fields.One2many(
        "crm.workflow.trigger", "stage_id", string="Triggers"
    )
