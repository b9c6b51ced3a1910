# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The HTTP endpoint of functions, called over real HTTP (Odoo's WSGI
application in a server thread, on the test's cursor)."""

import time

import requests

from odoo import Command
from odoo.tests import tagged

from .common import FunctionCase
from .odoo_server import OdooServer


@tagged("post_install", "-at_install")
class TestFunctionHttp(FunctionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paid = cls.make_function(
            "lead = args['opportunity']\n"
            "lead.write({'stage_id': args['stage']})\n"
            "lead.message_post(body='Invoice %s paid' % args['invoice'])\n"
            "result = {'opportunity': lead.id, 'stage': lead.stage_id.name}",
            [
                {
                    "name": "opportunity",
                    "arg_type": "record",
                    "arg_model_id": cls.lead_model.id,
                    "required": True,
                },
                {"name": "invoice", "arg_type": "char", "required": True},
                {
                    "name": "stage",
                    "arg_type": "integer",
                    "default": str(cls.stage_won.id),
                },
            ],
            name="Invoice paid (tests)",
            api_name="invoice_paid_tests",
        )
        cls.lead = cls.Lead.create(
            {
                "name": "Paid deal",
                "stage_id": cls.stage_new.id,
                "user_id": cls.salesman.id,
            }
        )
        cls.manager_key = cls.api_key(cls.sales_manager)
        cls.salesman_key = cls.api_key(cls.salesman)

    @classmethod
    def api_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, "tests", None)
        )

    def setUp(self):
        super().setUp()
        self.server = self.enterContext(OdooServer(self.registry, self.cr))

    def post(self, api_name, body, key=None, raw=None):
        self.env.flush_all()  # the server thread reads the database
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return requests.post(
            f"{self.server.url}/crm_workflow/function/{api_name}",
            json=body if raw is None else None,
            data=raw,
            headers=headers,
            timeout=30,
        )

    def assert_error(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        self.assertEqual(response.json()["error"]["code"], code)
        return response.json()["error"]["message"]

    def test_accounting_system_tells_the_crm_an_invoice_was_paid(self):
        response = self.post(
            "invoice_paid_tests",
            {"opportunity": self.lead.id, "invoice": "INV/2026/0042"},
            key=self.manager_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.json(), {"result": {"opportunity": self.lead.id, "stage": "T Won"}}
        )
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.stage_id, self.stage_won)
        self.assertIn("INV/2026/0042", str(self.lead.message_ids.mapped("body")))
        row = self.calls(self.paid)
        self.assertEqual(
            (row.caller, row.state, row.user_id), ("http", "done", self.sales_manager)
        )

    def test_no_key_or_a_wrong_key_is_401(self):
        body = {"opportunity": self.lead.id, "invoice": "X"}
        self.assert_error(self.post("invoice_paid_tests", body), 401, "unauthorized")
        self.assert_error(
            self.post("invoice_paid_tests", body, key="not-a-key"), 401, "unauthorized"
        )

    def test_key_of_a_user_without_the_right_is_403(self):
        message = self.assert_error(
            self.post(
                "invoice_paid_tests",
                {"opportunity": self.lead.id, "invoice": "X"},
                key=self.salesman_key,
            ),
            403,
            "forbidden",
        )
        self.assertIn("not allowed", message)
        self.paid.group_ids = [
            Command.link(self.env.ref("sales_team.group_sale_salesman").id)
        ]
        response = self.post(
            "invoice_paid_tests",
            {"opportunity": self.lead.id, "invoice": "X"},
            key=self.salesman_key,
        )
        self.assertEqual(response.status_code, 200, response.text)

    def test_unknown_or_archived_function_is_404(self):
        self.assert_error(self.post("nope", {}, key=self.manager_key), 404, "not_found")
        self.paid.active = False
        self.assert_error(
            self.post("invoice_paid_tests", {}, key=self.manager_key), 404, "not_found"
        )

    def test_missing_or_wrong_argument_is_400(self):
        message = self.assert_error(
            self.post(
                "invoice_paid_tests",
                {"opportunity": self.lead.id},
                key=self.manager_key,
            ),
            400,
            "bad_argument",
        )
        self.assertIn("“invoice”", message)
        message = self.assert_error(
            self.post(
                "invoice_paid_tests",
                {"opportunity": "Paid deal", "invoice": "X"},
                key=self.manager_key,
            ),
            400,
            "bad_argument",
        )
        self.assertIn("not a valid value of type Record", message)
        self.assert_error(
            self.post("invoice_paid_tests", None, key=self.manager_key, raw=b"{oops"),
            400,
            "bad_request",
        )
        self.assert_error(
            self.post("invoice_paid_tests", [1, 2], key=self.manager_key),
            400,
            "bad_argument",
        )

    def test_function_error_is_500_and_logged(self):
        failing = self.make_function(
            "raise UserError('ledger closed')", api_name="closed"
        )
        message = self.assert_error(
            self.post("closed", {}, key=self.manager_key), 500, "function_error"
        )
        self.assertIn("ledger closed", message)
        self.assertEqual(self.calls(failing).state, "failed")

    def test_endless_loop_over_http_is_408_within_budget(self):
        self.make_function("while True:\n    pass", api_name="spin", time_budget=0.5)
        started = time.monotonic()
        response = self.post("spin", {}, key=self.manager_key)
        # stopped, not served until the client gives up; the margin is for a
        # loaded CI machine (1.57 s seen for a 0.5 s budget with two suites
        # running at once)
        self.assertLess(time.monotonic() - started, 5)
        self.assertIn("time budget", self.assert_error(response, 408, "timeout"))
        # the worker goes on serving
        response = self.post(
            "invoice_paid_tests",
            {"opportunity": self.lead.id, "invoice": "after"},
            key=self.manager_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
