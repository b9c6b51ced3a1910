# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook type: its configuration and its payload. Delivery (signing,
the HTTP request, the attempts) is the job's, in crm_workflow_job_webhook.py."""

import json
import socket
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Datetime

from .webhook_transport import is_public_address


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("webhook", "Webhook")], ondelete={"webhook": "cascade"}
    )
    webhook_url = fields.Char(string="URL")
    webhook_method = fields.Selection(
        [(m, m) for m in ("POST", "PUT", "PATCH", "DELETE", "GET")],
        string="Method",
        default="POST",
    )
    webhook_headers = fields.Text(
        string="Extra headers", help='A JSON object, e.g. {"Authorization": "Bearer …"}'
    )
    webhook_field_ids = fields.Many2many(
        "ir.model.fields",
        "crm_workflow_action_webhook_field_rel",
        "action_id",
        "field_id",
        string="Fields sent",
        domain="[('model_id', '=', model_id)]",
    )
    webhook_secret = fields.Char(
        string="Secret",
        groups="crm_workflow_automation.group_workflow_manager",
        copy=False,
        help="Signs each delivery with HMAC-SHA256 so that the receiver can check "
        "it came from here.",
    )
    webhook_signature_header = fields.Char(
        string="Signature header", default="X-Signature-256"
    )

    def _runs_on_deleted_records(self):
        return self.action_type == "webhook" or super()._runs_on_deleted_records()

    def _requires_job(self):
        return self.action_type == "webhook" or super()._requires_job()

    def _job_batchable(self):
        # each delivery is its own request, its own attempts and its own retry
        return self.action_type != "webhook" and super()._job_batchable()

    def _prepare_job_payloads(self, records, run):
        if self.action_type == "webhook":
            return self._webhook_payloads(records, run)
        return super()._prepare_job_payloads(records, run)

    def _check_webhook(self):
        url = (self.webhook_url or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self._raise_config(
                self.env._("the webhook URL must start with http:// or https://.")
            )
        if self.webhook_headers:
            try:
                headers = json.loads(self.webhook_headers)
            except ValueError as e:
                self._raise_config(
                    self.env._(
                        "the extra headers are not valid JSON: %(error)s", error=e
                    )
                )
            if not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
            ):
                self._raise_config(
                    self.env._(
                        "the extra headers must be a JSON object whose values are "
                        "strings."
                    )
                )
        for field in self.webhook_field_ids:
            self._check_model_field(field, False)
        self._check_webhook_address(parts.hostname)

    def _check_webhook_address(self, host):
        """SSRF guard: refuse hosts that resolve to internal addresses unless
        a Settings administrator allow-listed them."""
        if self._webhook_host_allowed(host):
            return
        try:
            infos = socket.getaddrinfo(host, None)
        except (socket.gaierror, UnicodeError):
            self._raise_config(
                self.env._("the host “%(host)s” cannot be resolved.", host=host)
            )
        for info in infos:
            address = info[4][0]
            if not is_public_address(address):
                self._raise_config(
                    self.env._(
                        "the URL points to an internal address (%(address)s); ask a "
                        "Settings "
                        "administrator to allow the host “%(host)s”.",
                        address=address,
                        host=host,
                    )
                )

    @api.model
    def _webhook_host_allowed(self, host):
        allowed = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.webhook_allowed_hosts", "")
        )
        hosts = {h.strip().lower() for h in allowed.split(",") if h.strip()}
        return (host or "").lower() in hosts

    def _webhook_payloads(self, records, run):
        fnames = self.webhook_field_ids.mapped("name")
        data = {}
        if fnames:
            for values in records.sudo().read(fnames, load=None):
                data[values.pop("id")] = values
        occurred_at = Datetime.to_string(run.trigger_time if run else Datetime.now())
        trigger = run.trigger if run else "manual"
        return {
            record.id: {
                "model": records._name,
                "id": record.id,
                "rule": self._owner().name,
                "action": self.name,
                "trigger": trigger,
                "occurred_at": occurred_at,
                "data": json.loads(json.dumps(data.get(record.id, {}), default=str)),
            }
            for record in records
        }

    def _run_webhook(self, records, run):
        if run is None or run.job is None:
            raise UserError(self.env._("Webhooks are sent by scheduled jobs only."))
        run.job._send_webhook(run.attempts)
