# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.fields import Datetime


class CrmLead(models.Model):
    _inherit = "crm.lead"

    workflow_run_count = fields.Integer(
        compute="_compute_workflow_run_count",
        string="Automation runs",
        groups="crm_workflow_automation.group_workflow_user",
    )

    workflow_meeting_id = fields.Many2one(
        "calendar.event",
        string="Workflow meeting",
        compute="_compute_workflow_meeting_id",
        help="In what a meeting trigger runs (an email template, a field "
        "update): the meeting that triggered it. Elsewhere the opportunity's "
        "next meeting, or its last one.",
    )

    @api.depends("calendar_event_ids.start", "calendar_event_ids.active")
    @api.depends_context("crm_workflow_meetings")
    def _compute_workflow_meeting_id(self):
        told = dict(self.env.context.get("crm_workflow_meetings") or ())
        others = [lead.id for lead in self if lead.id and lead.id not in told]
        found = {}
        if others:
            Meeting = self.env["calendar.event"].sudo()
            now = Datetime.now()
            # the last meeting first, then the next one wins
            for domain, order in (
                ([("stop", "<", now)], "start"),
                ([("stop", ">=", now)], "start desc"),
            ):
                for meeting in Meeting.search(
                    [("opportunity_id", "in", others)] + domain, order=order
                ):
                    found[meeting.opportunity_id.id] = meeting.id
        Meeting = self.env["calendar.event"]
        for lead in self:
            lead.workflow_meeting_id = Meeting.browse(
                told.get(lead.id) or found.get(lead.id)
            )

    def _compute_workflow_run_count(self):
        counts = {}
        if self.ids:
            Run = self.env["crm.workflow.run"].sudo()
            counts = dict(
                Run._read_group(
                    [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                    ["res_id"],
                    ["__count"],
                )
            )
        for lead in self:
            lead.workflow_run_count = counts.get(lead.id, 0)

    def action_view_workflow_runs(self):
        """What automation did on this lead (runs and scheduled jobs)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_workflow_automation.crm_workflow_run_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The kanban keeps one ``<header>``: Odoo's kanban shows only the
        last one, and another add-on (crm_iap_mine's "Generate Leads") adds its
        own beside our "Automation rules"."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "kanban":
            headers = arch.findall("header")
            for extra in headers[1:]:
                headers[0].extend(list(extra))
                arch.remove(extra)
        return arch, view

    def action_open_automation_board(self):
        """From the pipeline: the board of the sales team it shows (the team
        in the context, else the user's own)."""
        team_id = self.env.context.get("default_team_id")
        team = self.env["crm.team"].browse(team_id).exists() if team_id else None
        if not team:
            team = self.env.user.sale_team_id or self.env["crm.team"].search(
                [], limit=1
            )
        return team.action_open_automation_board()
