# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook type: its configuration and its payload. Delivery (signing,
the HTTP request, the attempts) is the job's, in crm_workflow_job_webhook.py."""

import hashlib
import hmac
import json
import re
import socket
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Datetime

from ..runtime.webhook_transport import is_public_address

MASK = "••••••••"
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token
# what http.client can send: Latin-1, no control character, no outer blank
HEADER_VALUE = re.compile(
    r"(?:[\x21-\x7e\xa0-\xff](?:[\t\x20-\x7e\xa0-\xff]*[\x21-\x7e\xa0-\xff])?)?"
)


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
    # Credentials of the receiving system: Workflow Managers only, read from
    # the action at send time (never copied into a job, an attempt or a log),
    # and never sent back to a form: the form shows them masked and replaces
    # them through the write-only ``*_new`` fields.
    webhook_headers = fields.Text(
        string="Extra headers",
        groups="crm_workflow_automation.group_workflow_manager",
        copy=False,
        help='A JSON object, e.g. {"Authorization": "Bearer …"}',
    )
    webhook_headers_new = fields.Text(
        string="New extra headers",
        compute="_compute_webhook_secret_inputs",
        inverse="_inverse_webhook_headers_new",
        groups="crm_workflow_automation.group_workflow_manager",
        help='A JSON object, e.g. {"Authorization": "Bearer …"}; replaces the saved '
        "headers. Leave empty to keep them.",
    )
    webhook_headers_masked = fields.Char(
        string="Saved extra headers",
        compute="_compute_webhook_secret_inputs",
        groups="crm_workflow_automation.group_workflow_manager",
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
    webhook_secret_new = fields.Char(
        string="New secret",
        compute="_compute_webhook_secret_inputs",
        inverse="_inverse_webhook_secret_new",
        groups="crm_workflow_automation.group_workflow_manager",
        help="Replaces the saved secret. Leave empty to keep it.",
    )
    webhook_secret_masked = fields.Char(
        string="Saved secret",
        compute="_compute_webhook_secret_inputs",
        groups="crm_workflow_automation.group_workflow_manager",
    )
    webhook_signature_header = fields.Char(
        string="Signature header", default="X-Signature-256"
    )

    @api.depends("webhook_headers", "webhook_secret")
    def _compute_webhook_secret_inputs(self):
        for action in self:
            action.webhook_headers_new = False
            action.webhook_secret_new = False
            secret = action.sudo().webhook_secret
            action.webhook_secret_masked = MASK if secret else False
            try:
                headers = json.loads(action.sudo().webhook_headers or "{}")
            except ValueError:
                headers = {}
            action.webhook_headers_masked = (
                ", ".join(f"{name}: {MASK}" for name in headers)
                if isinstance(headers, dict)
                else False
            )

    def _inverse_webhook_headers_new(self):
        for action in self:
            if action.webhook_headers_new:
                action.webhook_headers = action.webhook_headers_new.strip()

    def _inverse_webhook_secret_new(self):
        for action in self:
            if action.webhook_secret_new:
                action.webhook_secret = action.webhook_secret_new.strip()

    def _secret_fields_webhook(self):
        """Credentials of the receiver: never exported, filled in again."""
        return ("webhook_headers", "webhook_secret")

    def _webhook_credentials(self):
        """The values that authenticate this webhook, to be kept out of any
        message that is stored or logged."""
        self.ensure_one()
        action = self.sudo()
        values = [action.webhook_secret or ""]
        try:
            headers = json.loads(action.webhook_headers or "{}")
        except ValueError:
            headers = {}
        if isinstance(headers, dict):
            values += [str(v) for v in headers.values()]
        return [v for v in values if len(v) >= 4]

    def _redact(self, text):
        for value in self._webhook_credentials():
            text = text.replace(value, MASK)
        return text

    def action_remove_webhook_secret(self):
        self.write({"webhook_secret": False})
        return True

    def _runs_on_deleted_records_webhook(self):
        """The payload is taken at the event: another system may learn of a
        deletion."""
        return True

    def _requires_job_webhook(self):
        """An HTTP call leaves the database: it is sent after the commit."""
        return True

    def _job_batchable_webhook(self):
        """Each delivery is its own request, its own attempts and its own
        retry."""
        return False

    def _job_pinnable_webhook(self):
        """The delivery reads the live action (its secrets are in no version)."""
        return False

    def _prepare_job_payloads_webhook(self, records, run):
        """The body of each record's request, as the record was at the event."""
        return self._webhook_payloads(records, run)

    def _replayable_webhook(self):
        """A delivered webhook may be sent again, with the same event id."""
        return True

    def _check_webhook(self):
        url = (self.webhook_url or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self._raise_config(
                self.env._("the webhook URL must start with http:// or https://.")
            )
        if parts.username or parts.password:
            self._raise_config(
                self.env._(
                    "the webhook URL must not contain a user name or password: put "
                    "them in the extra headers (Authorization), which only Workflow "
                    "Managers can read."
                )
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
                isinstance(k, str)
                and isinstance(v, str)
                and HEADER_NAME.fullmatch(k)
                and HEADER_VALUE.fullmatch(v)
                for k, v in headers.items()
            ):
                self._raise_config(
                    self.env._(
                        "the extra headers must be a JSON object of header names and "
                        "string values, without line breaks."
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
    def _allow_demo_webhook_host(self, host, xmlid):
        """Demo data: add ``host`` to the allow-list before the demo record
        ``xmlid`` that sends to it is created, on install and on an upgrade
        that brings it (the demo file calls it outside ``noupdate``); once
        that record exists, the list is the administrator's."""
        if self.env.ref(xmlid, raise_if_not_found=False):
            return
        key = "crm_workflow_automation.webhook_allowed_hosts"
        params = self.env["ir.config_parameter"].sudo()
        hosts = [h.strip() for h in (params.get_param(key) or "").split(",")]
        hosts = [h for h in hosts if h]
        if host.lower() not in {h.lower() for h in hosts}:
            params.set_param(key, ",".join([*hosts, host]))

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

    def _webhook_signature(self, body):
        """(header name, value) that signs ``body``, or None without secret."""
        secret = self.sudo().webhook_secret
        if not secret:
            return None
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return (self.webhook_signature_header or "X-Signature-256", f"sha256={digest}")

    def _test_webhook(self, records, run):
        """The request that would leave: method, URL, payload and signature
        header (the extra headers' values masked); nothing is sent."""
        lines = []
        payloads = self._webhook_payloads(records, run)
        uid = run.event.uid if run is not None and run.event is not None else ""
        method = self.webhook_method or "POST"
        for record in records:
            body = dict(payloads.get(record.id) or {}, event_id=uid)
            raw = json.dumps(
                body, sort_keys=True, separators=(",", ":"), default=str
            ).encode()
            lines.append(f"{method} {(self.webhook_url or '').strip()}")
            signature = self._webhook_signature(raw if method != "GET" else b"")
            if signature:
                lines.append(f"{signature[0]}: {signature[1]}")
            if self.sudo().webhook_headers_masked:
                lines.append(self.sudo().webhook_headers_masked)
            lines.append(raw.decode())
        return "\n".join(lines)
