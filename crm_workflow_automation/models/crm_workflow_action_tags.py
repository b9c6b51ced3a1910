# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields, models


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("add_tags", "Add Tags"), ("remove_tags", "Remove Tags")],
        ondelete={"add_tags": "cascade", "remove_tags": "cascade"},
    )
    tag_ids = fields.Many2many(
        "crm.tag", "crm_workflow_action_tag_rel", "action_id", "tag_id", string="Tags"
    )

    def _check_tag_field(self):
        self._check_record_field(
            "tag_ids", "crm.tag", self.env._("these records have no CRM tags.")
        )
        if not self.tag_ids:
            self._raise_config(self.env._("choose the tags."))

    _check_add_tags = _check_tag_field
    _check_remove_tags = _check_tag_field

    def _run_add_tags(self, records, run):
        records.write({"tag_ids": [Command.link(tag.id) for tag in self.tag_ids]})

    def _run_remove_tags(self, records, run):
        records.write({"tag_ids": [Command.unlink(tag.id) for tag in self.tag_ids]})

    def _fields_written_add_tags(self):
        return {"tag_ids"}

    _fields_written_remove_tags = _fields_written_add_tags

    def _test_add_tags(self, records, run):
        return self._test_by_running(records, run)

    _test_remove_tags = _test_add_tags

    def _effects_in_database_add_tags(self):
        """A write of the records' tags."""
        return True

    _effects_in_database_remove_tags = _effects_in_database_add_tags
