# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The baseline of bench/function_http.py: what any authenticated JSON route
costs (the same API key check, JSON in and out), without a function."""

import json

from odoo import http
from odoo.http import request

from odoo.addons.crm_workflow_automation.controllers.main import (
    api_key_user,
    json_answer,
    json_error,
)


class BenchController(http.Controller):
    @http.route(
        "/crm_workflow_bench/bare",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def bare(self, **kwargs):
        uid = api_key_user(request.env)
        if not uid:
            return json_error(401, "unauthorized", "no key")
        body = json.loads(request.httprequest.get_data() or b"{}")
        return json_answer(200, {"result": body.get("n")})
