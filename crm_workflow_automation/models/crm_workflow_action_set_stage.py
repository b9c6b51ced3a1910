# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("set_stage", "Move to Stage")],
        ondelete={"set_stage": "cascade"},
    )
    target_stage_id = fields.Many2one(
        "crm.stage", string="Target stage", ondelete="restrict"
    )

    def _check_set_stage(self):
        self._check_record_field(
            "stage_id", "crm.stage", self.env._("these records have no CRM stage.")
        )
        stage = self.target_stage_id
        if not stage:
            self._raise_config(self.env._("choose the stage."))
        teams = self._condition_teams()
        if stage.team_id and teams and stage.team_id.id not in teams:
            self._raise_config(
                self.env._(
                    "the stage “%(stage)s” belongs to the pipeline of another sales "
                    "team.",
                    stage=stage.name,
                )
            )

    def _condition_teams(self):
        """Sales teams the condition restricts its records to, if it says so."""
        if self.condition_id.is_fallback:
            return set()
        try:
            domain = self.condition_id._eval_domain()
        except Exception:  # the condition reports its own errors
            return set()
        teams = set()
        for leaf in domain:
            if (
                isinstance(leaf, list | tuple)
                and len(leaf) == 3
                and leaf[0] == "team_id"
            ):
                if leaf[1] == "=" and isinstance(leaf[2], int):
                    teams.add(leaf[2])
                elif leaf[1] == "in" and isinstance(leaf[2], list | tuple):
                    teams.update(v for v in leaf[2] if isinstance(v, int))
        return teams

    def _run_set_stage(self, records, run):
        stage = self.target_stage_id
        if stage.team_id and "team_id" in records._fields:
            foreign = records.filtered(
                lambda r: r.team_id and r.team_id != stage.team_id
            )
            if foreign:
                raise UserError(
                    self.env._(
                        "The stage “%(stage)s” belongs to the pipeline of another "
                        "sales team "
                        "than “%(record)s”.",
                        stage=stage.name,
                        record=foreign[0].display_name,
                    )
                )
        records.write({"stage_id": stage.id})

    def _fields_written_set_stage(self):
        return {"stage_id"}

    def _test_set_stage(self, records, run):
        return self._test_by_running(records, run)

    def _effects_in_database_set_stage(self):
        """A write of the records' stage."""
        return True
