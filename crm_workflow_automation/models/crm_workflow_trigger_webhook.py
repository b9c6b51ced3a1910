# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Webhook called": another system calls the
trigger's secret URL (the route and its checks: ``_handle_webhook``)."""

import json
import secrets
import uuid

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Datetime

# what a webhook call reads of its trigger, fetched with the token lookup
WEBHOOK_FIELDS = [
    "name",
    "active",
    "trigger_type",
    "sequence",
    "stage_id",
    "team_id",
    "domain",
    "allow_backward",
    "webhook_rate_limit",
    "webhook_reference_field_id",
    "webhook_queued",
]


# a queued call's job keeps a body up to this size
KEPT_BODY_BYTES = 16384


def new_token(*args):
    return secrets.token_urlsafe(24)


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("webhook", "Webhook called")],
        ondelete={"webhook": "cascade"},
    )
    webhook_token = fields.Char(
        string="Token",
        copy=False,
        default=new_token,
        groups="crm_workflow_automation.group_workflow_manager",
    )
    webhook_url = fields.Char(
        string="URL",
        compute="_compute_webhook_url",
        groups="crm_workflow_automation.group_workflow_manager",
        help="POST a JSON body naming the opportunity by “id”, by “email” or by "
        "the reference field.",
    )
    webhook_reference_field_id = fields.Many2one(
        "ir.model.fields",
        string="Reference field",
        ondelete="set null",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True), "
        "('ttype', 'in', ('char', 'integer'))]",
        help="A field of the opportunity that callers may name it by, e.g. "
        "an order number: {“ref”: “SO042”}.",
    )
    webhook_rate_limit = fields.Integer(
        string="Calls per minute",
        default=120,
        help="Calls beyond this rate are refused with HTTP 429. 0: no limit.",
    )
    webhook_queued = fields.Boolean(
        string="Answer before moving",
        help="Answer each call as soon as it is checked (URL, JSON body, "
        "opportunity) with HTTP 202, and make the move a few seconds later as a "
        "scheduled job. For senders that expect a quick answer or send many "
        "calls at once; the run log shows the move once the job has run.",
    )

    _sql_constraints = [
        ("webhook_token_uniq", "unique(webhook_token)", "The token must be unique.")
    ]

    @api.model
    def _trigger_secret_fields_webhook(self):
        """The token is the URL's secret: an import makes a new one."""
        return ("webhook_token",)

    @api.depends("webhook_token", "trigger_type")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for trigger in self:
            trigger.webhook_url = (
                f"{base}/crm_workflow/trigger/{trigger.webhook_token}"
                if trigger.trigger_type == "webhook" and trigger.webhook_token
                else False
            )

    @api.model
    def _trigger_events_webhook(self):
        return ("webhook",)

    @api.model
    def _trigger_event_labels_webhook(self):
        return {"webhook": self.env._("Webhook")}

    @api.model
    def _trigger_icon_webhook(self):
        return "fa-plug"

    def _trigger_check_webhook(self):
        problem = self._reference_field_problem()
        if problem:
            raise ValidationError(
                self.env._(
                    "Trigger “%(name)s”: %(problem)s", name=self.name, problem=problem
                )
            )

    def _trigger_summary_webhook(self):
        if self.webhook_queued:
            return self.env._("Webhook called (answered before moving)")
        return None

    def _reference_field_problem(self):
        """Why the reference field cannot name an opportunity, or False (the
        form's domain says the same, a call over RPC skips it)."""
        field = self.sudo().webhook_reference_field_id
        if not field:
            return False
        lead_field = self.env["crm.lead"]._fields.get(field.name)
        if (
            field.model != "crm.lead"
            or not lead_field
            or not lead_field.store
            or field.ttype not in ("char", "integer")
        ):
            return self.env._(
                "the reference field must be a text or number field of the "
                "opportunity; “%(field)s” (%(model)s) is not.",
                field=field.field_description,
                model=field.model,
            )
        return False

    def action_rotate_token(self):
        """A new secret URL; the old one answers 404 from now on."""
        for trigger in self:
            trigger.sudo().webhook_token = new_token()
        return True

    # ------------------------------------------------------------------
    # incoming webhook
    # ------------------------------------------------------------------

    @api.model
    def _handle_webhook(self, token, raw, delivery_id=None):
        """(HTTP status, JSON body) for a call of a webhook trigger's URL.
        Every call is in the run log; the token never is. ``delivery_id``: the
        sender's id of the call (its Idempotency-Key or Webhook-Id header),
        which makes a retried call of a queued trigger enqueue nothing."""
        Trigger = self.sudo()
        trigger = Trigger.browse()
        if token:
            # one query on the unique index, with the fields the call reads
            trigger = Trigger.search_fetch(
                [("webhook_token", "=", token), ("trigger_type", "=", "webhook")],
                WEBHOOK_FIELDS,
                limit=1,
            )
        if not trigger:
            return trigger._webhook_answer(
                404, "unknown_trigger", self.env._("Unknown trigger URL.")
            )
        if trigger._rate_limited():
            return trigger._webhook_answer(
                429, "rate_limited", self.env._("Too many calls, try again later.")
            )
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return trigger._webhook_answer(
                422, "bad_json", self.env._("The body must be a JSON object.")
            )
        leads, problem = trigger._webhook_record(body)
        if problem:
            status, code, message = problem
            return trigger._webhook_answer(status, code, message)
        if trigger.webhook_queued:
            return trigger._queue_webhook_move(
                leads, body, delivery_id, size=len(raw or b"")
            )
        engine = self.env["crm.workflow.engine"].with_user(SUPERUSER_ID)
        moved, __ = engine._fire_triggers(
            "webhook",
            "crm.lead",
            leads.ids,
            triggers=trigger,
            detail={"body": body},
        )
        if moved:
            return 200, {
                "status": "moved",
                "id": leads.id,
                "stage": trigger.stage_id.name,
            }
        return trigger._webhook_answer(
            200,
            "unchanged",
            trigger._unchanged_message(),
            res_id=leads.id,
            state="skipped",
        )

    def _unchanged_message(self):
        return self.env._(
            "The opportunity stays where it is (already in this stage or a "
            "later one, or it does not meet the trigger's criteria)."
        )

    def _webhook_answer(self, status, code, message, res_id=None, state="rejected"):
        """Log the call and build the answer."""
        engine = self.env["crm.workflow.engine"]
        event = engine._event("webhook", "crm.lead", [])
        rows = engine._log_rows(
            None,
            None,
            "crm.lead",
            [res_id],
            state,
            event=event,
            error=f"{status} {message}",
            trigger=self or None,
        )
        self.env["crm.workflow.run"]._log_bulk(rows)
        answer = {"status": code, "message": message}
        if res_id:
            answer["id"] = res_id
        return status, answer

    def _queue_webhook_move(self, lead, body, delivery_id=None, size=0):
        """A checked call of a trigger that answers before moving: the move
        becomes a job (the same queue, runner and run log as every delayed
        effect), answered 202 before it is made. The job keeps the body for
        the record, when it is small: the move does not need it."""
        Job = self.env["crm.workflow.job"].sudo()
        key = f"trigger:{self.id}:" + (
            f"sender:{delivery_id[:200]}" if delivery_id else uuid.uuid4().hex
        )
        ids = Job._enqueue(
            [
                {
                    "job_type": "trigger",
                    "trigger_id": self.id,
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "eta": Datetime.now(),
                    "payload": (
                        {"body": body}
                        if size <= KEPT_BODY_BYTES
                        else {"body_bytes": size}
                    ),
                    "idempotency_key": key,
                    "user_id": SUPERUSER_ID,
                    "trigger_time": Datetime.now(),
                }
            ],
            short_transaction=True,
        )
        if not ids:  # the sender's retry of a call already queued
            return 202, {"status": "duplicate", "id": lead.id}
        return 202, {"status": "queued", "id": lead.id, "job": ids[0]}

    def _rate_limited(self):
        """More calls in the last minute than the trigger allows, counted on
        the run log and, for calls answered before the move, on the queue (so
        all workers share the count; a queued call's run-log row has its job)."""
        if self.webhook_rate_limit <= 0:
            return False
        self.env["crm.workflow.run"].flush_model()
        self.env["crm.workflow.job"].flush_model()
        self.env.cr.execute(
            """WITH since AS (
                   SELECT (now() at time zone 'UTC') - interval '1 minute' AS t)
               SELECT (SELECT count(*) FROM crm_workflow_run, since
                        WHERE trigger_id = %(id)s AND job_id IS NULL
                          AND create_date > since.t)
                    + (SELECT count(*) FROM crm_workflow_job, since
                        WHERE trigger_id = %(id)s AND create_date > since.t)""",
            {"id": self.id},
        )
        return self.env.cr.fetchone()[0] >= self.webhook_rate_limit

    def _webhook_record(self, body):
        """The opportunity the body names: by ``id``, ``email`` or the
        reference field (its name, or ``ref``). Returns (lead, problem)."""
        Lead = self.env["crm.lead"].sudo()
        reference = self.webhook_reference_field_id.name
        if body.get("id") is not None:
            try:
                domain = [("id", "=", int(body["id"]))]
            except (TypeError, ValueError):
                return Lead, (422, "bad_id", self.env._("“id” must be a number."))
        elif body.get("email"):
            domain = [("email_from", "=ilike", str(body["email"]).strip())]
        elif reference and (body.get(reference) or body.get("ref")):
            problem = self._reference_field_problem()
            if problem:  # saved before the check existed
                return Lead, (
                    500,
                    "misconfigured",
                    self.env._(
                        "The trigger cannot find opportunities by reference: "
                        "%(problem)s",
                        problem=problem,
                    ),
                )
            value = body.get(reference) or body.get("ref")
            try:
                if isinstance(value, bool) or not isinstance(value, str | int):
                    raise ValueError
                if self.webhook_reference_field_id.ttype == "integer":
                    value = int(value)
            except ValueError:
                return Lead, (
                    422,
                    "bad_ref",
                    self.env._("The reference must be a text or a number."),
                )
            domain = [(reference, "=", value)]
        else:
            return Lead, (
                422,
                "no_record",
                self.env._("Name the opportunity by “id”, “email” or “ref”."),
            )
        # the name too: the run log names the record (no wide read of the lead)
        leads = Lead.search_fetch(domain, ["name", "stage_id"], limit=2)
        if not leads:
            return leads, (404, "unknown_record", self.env._("No such opportunity."))
        if len(leads) > 1:
            return leads, (
                422,
                "ambiguous",
                self.env._("Several opportunities match; name it by “id”."),
            )
        return leads, None
