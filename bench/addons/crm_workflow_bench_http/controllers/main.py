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


def named_lead():
    """(raw body, id of the lead the JSON body names or None): one query."""
    raw = request.httprequest.get_data() or b"{}"
    request.env.cr.execute(
        "SELECT id FROM crm_lead WHERE id = %s", [json.loads(raw).get("id")]
    )
    row = request.env.cr.fetchone()
    return raw, row and row[0]


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

    @http.route(
        "/crm_workflow_bench/db",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def bare_db(self, **kwargs):
        """The baseline of bench/trigger_http.py: the least a database-backed
        public JSON route does (a cursor, one trivial query, JSON out)."""
        return request.make_json_response({"id": named_lead()[1]})

    @http.route(
        "/crm_workflow_bench/db_write",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def bare_db_write(self, **kwargs):
        """The third baseline of bench/trigger_http.py: the least a route that
        keeps the call before answering does (the named lead read, one row
        inserted, committed with the request: PostgreSQL flushes its WAL
        before the answer), what a webhook answered 202 must cost at least."""
        raw, lead_id = named_lead()
        cr = request.env.cr
        cr.execute(
            "INSERT INTO crm_workflow_bench_call (lead_id, body) VALUES (%s, %s)"
            " RETURNING id",
            [lead_id, raw.decode()],
        )
        return request.make_json_response({"id": lead_id, "call": cr.fetchone()[0]})
