# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re

from odoo import http
from odoo.http import request

TOKEN_IN_PATH = re.compile(r"(/crm_workflow/trigger/)[^\s/?\"]+")


class _HideTriggerToken(logging.Filter):
    """The token is the webhook's secret: the access log shows it masked."""

    def filter(self, record):
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            if "/crm_workflow/trigger/" in args[0]:
                record.args = (TOKEN_IN_PATH.sub(r"\1***", args[0]), *args[1:])
        elif isinstance(record.msg, str) and "/crm_workflow/trigger/" in record.msg:
            record.msg = TOKEN_IN_PATH.sub(r"\1***", record.msg)
        return True


logging.getLogger("werkzeug").addFilter(_HideTriggerToken())


class CrmWorkflowTriggerController(http.Controller):
    @http.route(
        "/crm_workflow/trigger/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def call_trigger(self, token, **kwargs):
        """An incoming webhook moves the opportunity it names to the
        trigger's stage. Always a JSON answer, never an HTML page."""
        Trigger = request.env["crm.workflow.trigger"].sudo()
        status, body = Trigger._handle_webhook(token, request.httprequest.get_data())
        return request.make_json_response(body, status=status)
