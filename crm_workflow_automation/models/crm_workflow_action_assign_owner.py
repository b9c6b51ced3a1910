# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("assign_owner", "Assign Owner")],
        ondelete={"assign_owner": "cascade"},
    )
    assign_mode = fields.Selection(
        [("user", "A chosen user"), ("round_robin", "Round-robin in the sales team")],
        string="Assign",
        default="user",
    )
    assign_user_id = fields.Many2one("res.users", string="Salesperson")
    assign_rotation = fields.Json(string="Rotation", copy=False)

    @api.model
    def _fields_without_check(self):
        # the rotation moves on at each run
        return super()._fields_without_check() | {"assign_rotation"}

    def _check_assign_owner(self):
        self._check_record_field(
            "user_id", None, self.env._("these records have no salesperson.")
        )
        if self.assign_mode == "user" and not self.assign_user_id:
            self._raise_config(self.env._("choose the salesperson."))
        if self.assign_mode == "round_robin":
            self._check_record_field(
                "team_id", None, self.env._("these records have no sales team.")
            )

    def _run_assign_owner(self, records, run):
        if self.assign_mode == "user":
            records.write({"user_id": self.assign_user_id.id})
            return
        rotation = dict(self.assign_rotation or {})
        by_user = defaultdict(list)
        for team, team_records in records.grouped("team_id").items():
            members = (team.member_ids or team.user_id).sorted("id")
            if not members:
                continue
            last = rotation.get(str(team.id))
            ids = members.ids
            start = (ids.index(last) + 1) if last in ids else 0
            for offset, record in enumerate(team_records):
                user_id = ids[(start + offset) % len(ids)]
                by_user[user_id].append(record.id)
                rotation[str(team.id)] = user_id
        for user_id, record_ids in by_user.items():
            records.browse(record_ids).write({"user_id": user_id})
        if rotation != (self.assign_rotation or {}):
            self.sudo().assign_rotation = rotation

    def _fields_written_assign_owner(self):
        return {"user_id"}

    def _test_assign_owner(self, records, run):
        return self._test_by_running(records, run)

    def _effects_in_database_assign_owner(self):
        """A write of the records' salesperson (and of the rotation)."""
        return True
