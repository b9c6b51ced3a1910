# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credentials of other systems (a webhook's extra headers and secret) stay
with Workflow Managers: a salesperson cannot read them, a form never shows
them again after saving, and they end up in no job, attempt, run log or
server log line."""

import io
import json
import logging

from lxml import etree

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import WebhookCase
from .receiver import Answer, Receiver

TOKEN = "Bearer sk-live-4242-do-not-leak"
SECRET = "hmac-secret-do-not-leak"
# every field that holds or reveals a credential
SECRET_FIELDS = (
    "webhook_headers",
    "webhook_headers_new",
    "webhook_headers_masked",
    "webhook_secret",
    "webhook_secret_new",
    "webhook_secret_masked",
)


@tagged("post_install", "-at_install")
class TestWebhookCredentials(WebhookCase):
    def credential_rule(self, url):
        return self.webhook_rule(
            url,
            webhook_secret=SECRET,
            webhook_headers=json.dumps({"Authorization": TOKEN, "X-Tenant": "acme"}),
        )

    def action_of(self, rule):
        return rule.condition_ids.action_ids

    def test_a_salesperson_cannot_read_any_credential_field(self):
        action = self.action_of(self.credential_rule("http://127.0.0.1:9/hook"))
        for fname in SECRET_FIELDS:
            with self.subTest(field=fname), self.assertRaises(AccessError):
                action.with_user(self.salesman).read([fname])
        # what a Workflow User may see of the action still reads fine
        values = action.with_user(self.salesman).read(["webhook_url", "name"])[0]
        self.assertEqual(values["webhook_url"], "http://127.0.0.1:9/hook")

    def test_the_form_shows_credentials_masked_and_replaces_them(self):
        """A manager's form gets the header names and a mask, never the
        values; a new value replaces the old one, an empty input keeps it."""
        action = self.action_of(self.credential_rule("http://127.0.0.1:9/hook"))
        Action = self.env["crm.workflow.action"].with_user(self.sales_manager)
        arch = etree.fromstring(Action.get_view(view_type="form")["arch"])
        shown = {node.get("name") for node in arch.iter("field")}
        self.assertIn("webhook_secret_new", shown)
        self.assertIn("webhook_headers_new", shown)
        self.assertFalse(shown & {"webhook_secret", "webhook_headers"})
        mine = action.with_user(self.sales_manager)
        values = mine.read(
            [
                "webhook_headers_masked",
                "webhook_secret_masked",
                "webhook_headers_new",
                "webhook_secret_new",
            ]
        )[0]
        self.assertEqual(
            values["webhook_headers_masked"],
            "Authorization: ••••••••, X-Tenant: ••••••••",
        )
        self.assertEqual(values["webhook_secret_masked"], "••••••••")
        self.assertFalse(values["webhook_headers_new"] or values["webhook_secret_new"])
        self.assertNotIn(TOKEN, json.dumps(values))

        mine.write({"webhook_secret_new": "", "name": "Kept"})
        self.assertEqual(action.webhook_secret, SECRET)
        mine.write(
            {
                "webhook_secret_new": "rotated",
                "webhook_headers_new": '{"Authorization": "Bearer new"}',
            }
        )
        self.assertEqual(action.webhook_secret, "rotated")
        self.assertEqual(action.webhook_headers, '{"Authorization": "Bearer new"}')
        with self.assertRaises(ValidationError) as caught:
            mine.write({"webhook_headers_new": '{"Authorization": "a\\nb"}'})
        self.assertIn("extra headers", str(caught.exception))
        mine.action_remove_webhook_secret()
        self.assertFalse(action.webhook_secret)

    def test_a_salesperson_cannot_replace_or_remove_a_secret(self):
        action = self.action_of(self.credential_rule("http://127.0.0.1:9/hook"))
        with self.assertRaises(AccessError):
            action.with_user(self.salesman).action_remove_webhook_secret()
        self.assertEqual(action.webhook_secret, SECRET)

    def test_credentials_in_the_url_are_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.webhook_rule("https://bob:hunter2@hooks.example.test/in")
        self.assertIn("user name or password", str(caught.exception))

    def test_a_delivered_webhook_leaves_no_credential_behind(self):
        """The job, its attempts, the run log and the server log of a delivery,
        a failed one whose receiver echoes the request included."""
        echo = json.dumps({"you sent": {"Authorization": TOKEN}}).encode()
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setLevel(logging.DEBUG)
        watched = [logging.getLogger(n) for n in ("odoo", "urllib3", "requests")]
        levels = [logger.level for logger in watched]
        for logger in watched:
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG if logger.name != "odoo" else logging.INFO)
        try:
            with Receiver(Answer(status=500, body=echo), Answer()) as receiver:
                rule = self.credential_rule(receiver.url)
                with self.trap_jobs() as trap:
                    lead = self.Lead.create({"name": "Secretive"})
                    trap.run_all()
                    job = trap.assert_enqueued(count=1, records=lead)
        finally:
            for logger, level in zip(watched, levels, strict=True):
                logger.removeHandler(handler)
                logger.setLevel(level)
        self.assertEqual(job.state, "done")
        self.assertEqual(len(receiver.received), 2)
        self.assertEqual(receiver.received[0].headers["Authorization"], TOKEN)
        attempts = job.attempt_ids.read()
        self.assertEqual(len(attempts), 2)
        self.assertIn("••••••••", attempts[-1]["response_excerpt"])
        stored = {
            "job": job.read(),
            "attempts": attempts,
            "runs": self.runs(rule=rule).read(),
            "log": stream.getvalue(),
        }
        for where, data in stored.items():
            text = json.dumps(data, default=str)
            with self.subTest(where=where):
                self.assertNotIn("sk-live-4242", text)
                self.assertNotIn(SECRET, text)
        self.assertTrue(stream.getvalue(), "nothing was logged: the check is void")
