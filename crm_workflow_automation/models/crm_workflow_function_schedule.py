# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import safe_eval

from .crm_workflow_function import FunctionError

INTERVAL_TYPES = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
]


class CrmWorkflowFunctionSchedule(models.Model):
    """A function run at intervals, by an ``ir.cron`` the schedule owns. On a
    record type it runs on the records of ``domain``, ``batch_size`` at a
    time: one batch per cron call, resumed after the last id done, with
    Odoo 18's cron progress so that the cron commits between batches and
    comes back at once for the rest."""

    _name = "crm.workflow.function.schedule"
    _description = "Workflow Function Schedule"
    _order = "function_id, id"

    function_id = fields.Many2one(
        "crm.workflow.function",
        string="Function",
        required=True,
        ondelete="cascade",
        index=True,
    )
    model_name = fields.Char(related="function_id.model_name")
    active = fields.Boolean(default=True)
    interval_number = fields.Integer(string="Every", default=1, required=True)
    interval_type = fields.Selection(
        INTERVAL_TYPES, string="Unit", default="days", required=True
    )
    nextcall = fields.Datetime(
        string="Next run", default=fields.Datetime.now, required=True
    )
    domain = fields.Char(
        string="Records",
        default="[]",
        help="The records the function runs on, as a domain of its record type.",
    )
    batch_size = fields.Integer(string="Batch size", default=200, required=True)
    resume_after_id = fields.Integer(
        string="Resume after id",
        readonly=True,
        copy=False,
        help="The pass over the records goes on after this id (0: from the start).",
    )
    cron_id = fields.Many2one(
        "ir.cron", string="Scheduled action", readonly=True, ondelete="set null"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Run as",
        default=lambda self: self.env.user,
        required=True,
        help="The function runs with this user's rights; the user must be allowed "
        "to run it.",
    )

    @api.constrains("interval_number", "batch_size", "domain")
    def _check_schedule(self):
        for schedule in self:
            if schedule.interval_number < 1 or schedule.batch_size < 1:
                raise ValidationError(
                    self.env._("The interval and the batch size must be at least 1.")
                )
            schedule._records_domain()

    def _records_domain(self):
        try:
            domain = safe_eval.safe_eval(self.domain or "[]")
            if self.model_name:
                self.env[self.model_name].sudo().search_count(domain, limit=1)
        except Exception as e:  # reported as a configuration error
            raise ValidationError(
                self.env._(
                    "The domain of the schedule is not valid: %(error)s", error=e
                )
            ) from e
        return domain

    @api.model_create_multi
    def create(self, vals_list):
        schedules = super().create(vals_list)
        schedules._sync_cron()
        return schedules

    def write(self, vals):
        res = super().write(vals)
        if {"active", "interval_number", "interval_type", "nextcall", "user_id"} & set(
            vals
        ):
            self._sync_cron()
        return res

    def unlink(self):
        crons = self.sudo().cron_id
        res = super().unlink()
        crons.unlink()
        return res

    def _sync_cron(self):
        """Create or update each schedule's cron (as superuser: Workflow
        Managers may not write crons)."""
        model_id = self.env["ir.model"]._get_id(self._name)
        for schedule in self.sudo():
            values = {
                "name": self.env._(
                    "Function: %(name)s", name=schedule.function_id.name
                ),
                "model_id": model_id,
                "state": "code",
                "code": f"model.browse({schedule.id})._run_scheduled()",
                "interval_number": schedule.interval_number,
                "interval_type": schedule.interval_type,
                "nextcall": schedule.nextcall,
                # Odoo 18's crons record their progress as their user, which
                # only a Settings administrator may: the cron runs as OdooBot
                # and the function as the schedule's user.
                "user_id": self.env.ref("base.user_root").id,
                "active": schedule.active and schedule.function_id.active,
            }
            if schedule.cron_id:
                schedule.cron_id.write(values)
            else:
                schedule.cron_id = schedule.env["ir.cron"].create(values)

    def _run_scheduled(self):
        """One batch (the cron calls again while some remain), as the
        schedule's user."""
        self.ensure_one()
        self = self.with_user(self.user_id)  # as ir.cron does
        function = self.function_id.with_env(self.env)
        if not function.sudo().active:
            return
        if not function.sudo().model_name:
            self._call_safely(function, None)
            return
        Model = self.env[function.sudo().model_name]
        domain = self._records_domain() + [("id", ">", self.resume_after_id)]
        batch = Model.search(domain, order="id", limit=self.batch_size + 1)
        more = len(batch) > self.batch_size
        batch = batch[: self.batch_size]
        if batch:
            self._call_safely(function, batch)
        self.sudo().resume_after_id = batch[-1].id if more else 0
        remaining = (
            Model.search_count(domain + [("id", ">", batch[-1].id)]) if more else 0
        )
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)

    def _call_safely(self, function, records):
        """A failing call is logged (by the call) and the schedule goes on."""
        with contextlib.suppress(FunctionError):
            function._call(records, {}, caller="schedule")

    def action_run_now(self):
        """Run one batch now, as the cron would."""
        self.ensure_one()
        self.sudo()._run_scheduled()
        return True
