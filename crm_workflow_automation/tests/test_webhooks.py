# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outgoing webhooks against a real HTTP server on 127.0.0.1: what is sent,
how failures are retried or given up, and the SSRF guard."""

import hashlib
import hmac
import json
import socket
import time
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.crm_workflow_automation.models import crm_workflow_job_webhook
from odoo.addons.crm_workflow_automation.runtime.webhook_transport import (
    blocked_address,
    guarded_session,
)

from .common import ALLOWED_HOSTS, THRESHOLD, TIMEOUT, WebhookCase
from .receiver import Answer, Receiver, closed_port_url


@tagged("post_install", "-at_install")
class TestWebhookDelivery(WebhookCase):
    def test_webhook_is_signed_and_carries_its_event_id_headers_and_fields(self):
        """A receiver must be able to check the signature (GitHub's scheme),
        de-duplicate on the event id, and read the chosen fields."""
        with Receiver() as receiver:
            rule = self.webhook_rule(
                f"{receiver.url}/hooks/leads",
                webhook_method="PUT",
                webhook_secret="s3cret",
                webhook_headers=json.dumps(
                    {"Authorization": "Bearer t0ken", "X-Tenant": "acme"}
                ),
                webhook_field_ids=[
                    Command.set(
                        [self.field(n).id for n in ("name", "expected_revenue")]
                    )
                ],
            )
            with self.trap_jobs() as trap:
                lead = self.Lead.create(
                    {"name": "Big deal", "expected_revenue": 1234.5}
                )
                job = trap.assert_enqueued(count=1, rule=rule, records=lead)
                self.assertEqual(trap.run(), 1)
        self.assertEqual(job.state, "done")
        self.assertEqual(len(receiver.received), 1)
        request = receiver.received[0]
        self.assertEqual(request.method, "PUT")
        self.assertEqual(request.path, "/hooks/leads")
        headers = request.headers
        body = request.json
        self.assertEqual(headers["X-Webhook-Id"], job.event_uid)
        self.assertEqual(body["event_id"], job.event_uid)
        self.assertLessEqual(abs(int(headers["X-Webhook-Timestamp"]) - time.time()), 60)
        expected = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
        self.assertEqual(headers["X-Signature-256"], f"sha256={expected}")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["Authorization"], "Bearer t0ken")
        self.assertEqual(headers["X-Tenant"], "acme")
        self.assertEqual(body["data"], {"name": "Big deal", "expected_revenue": 1234.5})
        self.assertEqual((body["model"], body["id"]), ("crm.lead", lead.id))
        self.assertEqual(body["rule"], "Push leads")

    def test_signature_goes_in_the_header_the_receiver_expects(self):
        """Receivers name the signature header differently (Stripe, Shopify,
        GitHub's older X-Hub-Signature-256)."""
        with Receiver() as receiver:
            self.webhook_rule(
                receiver.url,
                webhook_secret="other secret",
                webhook_signature_header="X-Hub-Signature-256",
            )
            with self.trap_jobs() as trap:
                self.Lead.create({"name": "Signed elsewhere"})
                trap.run()
        request = receiver.received[0]
        self.assertEqual(request.method, "POST")
        expected = hmac.new(b"other secret", request.body, hashlib.sha256).hexdigest()
        self.assertEqual(request.headers["X-Hub-Signature-256"], f"sha256={expected}")
        self.assertNotIn("X-Signature-256", request.headers)

    def test_webhook_is_sent_only_after_the_triggering_transaction(self):
        """The user's save must never wait for, nor be undone after, a call to
        another system: the webhook leaves from a job."""
        lead = self.Lead.create({"name": "Quiet lead"})
        with Receiver() as receiver:
            self.webhook_rule(
                receiver.url,
                trigger="on_write",
                rule_values={"trigger_field_ids": ["stage_id"]},
            )
            with self.trap_jobs() as trap:
                lead.write({"stage_id": self.stage_qualified.id})
                self.env.flush_all()
                job = trap.assert_enqueued(count=1, records=lead, state="pending")
                self.assertEqual(receiver.received, [])
                trap.run()
            self.assertEqual(job.state, "done")
            self.assertEqual(len(receiver.received), 1)

    def test_replay_sends_the_same_event_id_and_body(self):
        """Replay lets the receiver's de-duplication recognise the event (same
        id) and get exactly what it got the first time."""
        with Receiver() as receiver:
            self.webhook_rule(receiver.url, webhook_secret="s3cret")
            with self.trap_jobs() as trap:
                lead = self.Lead.create({"name": "Replayed"})
                trap.run()
                job = trap.assert_enqueued(count=1, records=lead, state="done")
                lead.name = "Renamed since"
                job.with_user(self.sales_manager).action_replay()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.attempts, 2)
        first, second = receiver.received
        self.assertEqual(second.body, first.body)
        self.assertEqual(second.headers["X-Webhook-Id"], first.headers["X-Webhook-Id"])
        self.assertEqual(second.headers["X-Webhook-Id"], job.event_uid)
        self.assertEqual(
            second.headers["X-Signature-256"], first.headers["X-Signature-256"]
        )


@tagged("post_install", "-at_install")
class TestWebhookFailures(WebhookCase):
    def test_server_error_is_retried_with_backoff_then_delivered(self):
        """A 500 may pass: the job retries in about a minute and every attempt
        stays visible on the job."""
        with Receiver(Answer(500, body=b"boom"), Answer(200, body=b"thanks")) as rcv:
            self.webhook_rule(rcv.url)
            with self.trap_jobs() as trap:
                lead = self.Lead.create({"name": "Retry me"})
                started = fields.Datetime.now()
                trap.run()
                job = trap.assert_enqueued(count=1, records=lead)
                self.assertEqual(job.state, "failed")
                self.assertEqual(job.attempts, 1)
                self.assertIn("500", job.last_error)
                # about 1 minute, with ±20% jitter
                wait = (job.eta - started).total_seconds()
                self.assertTrue(45 <= wait <= 75, wait)
                attempt = job.attempt_ids
                self.assertEqual(len(attempt), 1)
                self.assertEqual(attempt.status_code, 500)
                self.assertEqual(attempt.response_excerpt, "boom")
                self.assertGreater(attempt.duration, 0)
                self.assertEqual(trap.run(), 0, "not due again before its time")
                trap.run(at=fields.Datetime.now() + timedelta(minutes=2))
        self.assertEqual(job.state, "done")
        self.assertEqual(job.attempts, 2)
        self.assertFalse(job.last_error)
        self.assertEqual(
            sorted(job.attempt_ids.mapped(lambda a: (a.attempt_no, a.status_code))),
            [(1, 500), (2, 200)],
        )
        self.assertEqual(len(rcv.received), 2)

    def test_not_found_gives_up_at_once_and_tells_the_responsible(self):
        """A 404 will not pass: retrying would only hammer the receiver. The
        rule's responsible must hear of it."""
        with Receiver(default=Answer(404, body=b"no such hook")) as receiver:
            rule = self.webhook_rule(receiver.url)
            with self.trap_jobs() as trap:
                lead = self.Lead.create({"name": "Lost"})
                trap.run_all()
                job = trap.assert_enqueued(count=1, records=lead)
        self.assertEqual(job.state, "dead")
        self.assertEqual(job.attempts, 1)
        self.assertIn("404", job.last_error)
        self.assertEqual(len(receiver.received), 1)
        self.assertEqual(job.attempt_ids.status_code, 404)
        message = rule.message_ids.filtered(lambda m: "gave up" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn("404", message.body)
        self.assertIn(self.sales_manager.partner_id, message.partner_ids)

    def test_too_many_requests_waits_as_long_as_the_receiver_asks(self):
        """Retry-After is the receiver saying when it can take more."""
        answer = Answer(429, headers={"Retry-After": "120"}, body=b"slow down")
        with Receiver(answer) as receiver:
            self.webhook_rule(receiver.url)
            with self.trap_jobs() as trap:
                self.Lead.create({"name": "Throttled"})
                trap.run()
                job = trap.jobs
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.attempt_ids.status_code, 429)
        self.assertAbout(job.eta, fields.Datetime.now() + timedelta(seconds=120), 5)

    def test_receiver_too_slow_times_out_and_is_retried(self):
        """A receiver that does not answer within the configured timeout must
        not hold the runner; the delivery is tried again later."""
        self.ICP.set_param(TIMEOUT, "1")
        with Receiver(Answer(200, delay=6)) as receiver:
            self.webhook_rule(receiver.url)
            with self.trap_jobs() as trap:
                self.Lead.create({"name": "Slow"})
                started = time.monotonic()
                trap.run()
                elapsed = time.monotonic() - started
                job = trap.jobs
        # 1 s timeout against a 6 s answer: room for a loaded CI machine
        self.assertLess(elapsed, 5, "the timeout was not applied")
        self.assertEqual(job.state, "failed")
        self.assertIn("Timed out", job.last_error)
        self.assertIn("Timed out", job.attempt_ids.error)
        self.assertGreater(job.eta, fields.Datetime.now())

    def test_receiver_stalling_mid_answer_times_out_and_is_retried(self):
        """The headers came, the body does not: still a timeout that may
        pass, not a reason to give up."""
        self.ICP.set_param(TIMEOUT, "1")
        with Receiver(Answer(200, body=b"late", body_delay=2)) as receiver:
            self.webhook_rule(receiver.url)
            with self.trap_jobs() as trap:
                self.Lead.create({"name": "Stalled"})
                trap.run()
                job = trap.jobs
        self.assertEqual(job.state, "failed")
        self.assertEqual(len(job.attempt_ids), 1)
        self.assertIn("Timed out", job.attempt_ids.error)

    def test_receiver_down_is_retried(self):
        """A receiver being restarted is back soon: retry, do not give up."""
        self.webhook_rule(closed_port_url())
        with self.trap_jobs() as trap:
            self.Lead.create({"name": "Nobody home"})
            started = fields.Datetime.now()
            trap.run()
            job = trap.jobs
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.attempts, 1)
        self.assertIn("unreachable", job.last_error)
        self.assertIn("unreachable", job.attempt_ids.error)
        wait = (job.eta - started).total_seconds()
        self.assertTrue(45 <= wait <= 75, wait)

    def test_failing_endpoint_pauses_its_rule_and_its_jobs_wait(self):
        """Circuit breaker: one broken endpoint must not fill the queue nor
        keep hammering the receiver."""
        self.ICP.set_param(THRESHOLD, "3")
        with Receiver(*[Answer(500)] * 3) as receiver:
            rule = self.webhook_rule(receiver.url)
            with self.trap_jobs() as trap:
                self.Lead.create({"name": "Breaker"})
                trap.run_all()
                job = trap.jobs
                self.assertTrue(rule.paused)
                self.assertIn("3 failed runs in a row", rule.pause_reason)
                self.assertIn("500", rule.pause_reason)
                self.assertTrue(
                    rule.message_ids.filtered(lambda m: "Paused" in (m.body or ""))
                )
                self.assertEqual(len(receiver.received), 3)
                self.assertEqual((job.state, job.attempts), ("failed", 3))
                # while paused: its job is not claimed, new leads enqueue nothing
                self.assertEqual(trap.run_all(), 0)
                self.Lead.create({"name": "During the pause"})
                self.assertEqual(len(trap.jobs), 1)
                self.assertEqual(len(receiver.received), 3)
                rule.action_resume()
                trap.run_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(len(receiver.received), 4)
        self.assertFalse(rule.paused)


@tagged("post_install", "-at_install")
class TestWebhookSsrfGuard(WebhookCase):
    def test_internal_url_is_refused_at_save_without_the_allow_list(self):
        """A workflow manager must not turn Odoo into a proxy to the internal
        network (cloud metadata, databases, admin pages)."""
        self.ICP.set_param(ALLOWED_HOSTS, "")
        for url in (
            "http://127.0.0.1:8069/web",
            "http://10.1.2.3/admin",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost/",
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.webhook_rule(url)

    def test_host_left_off_the_allow_list_is_refused_at_send(self):
        """The allow-list lets 127.0.0.1 through, not every name of it:
        checked again when sending, the job gives up and nothing leaves."""
        with Receiver() as receiver:
            self.ICP.set_param(ALLOWED_HOSTS, "127.0.0.1,localhost")
            self.webhook_rule(f"http://localhost:{receiver.port}/")
            self.ICP.set_param(ALLOWED_HOSTS, "127.0.0.1")
            with self.trap_jobs() as trap:
                self.Lead.create({"name": "Not via localhost"})
                trap.run()
                job = trap.jobs
        self.assertEqual(job.state, "dead")
        self.assertIn("internal address", job.last_error)
        self.assertIn("internal address", job.attempt_ids.error)
        self.assertEqual(receiver.received, [])

    def test_dns_rebinding_to_loopback_is_refused_when_connecting(self):
        """DNS may answer a public address to the check and a loopback one to
        the connection: the guard on the connected socket still refuses."""
        with Receiver() as receiver:
            self.ICP.set_param(ALLOWED_HOSTS, "127.0.0.1,localhost")
            self.webhook_rule(f"http://localhost:{receiver.port}/")
            self.ICP.set_param(ALLOWED_HOSTS, "127.0.0.1")

            class PublicDns:
                """The name check sees a public address (the rebinding)."""

                @staticmethod
                def getaddrinfo(host, *args, **kwargs):
                    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", 0))]

            with (
                patch.object(crm_workflow_job_webhook, "socket", PublicDns),
                self.trap_jobs() as trap,
            ):
                self.Lead.create({"name": "Rebound"})
                trap.run()
                job = trap.jobs
        self.assertEqual(job.state, "dead")
        self.assertIn("127.0.0.1", job.last_error)
        self.assertEqual(receiver.received, [])

    def test_guarded_session_refuses_loopback_unless_allowed(self):
        """The transport itself, below the job: a guarded session cannot
        reach 127.0.0.1, an allow-listed one can."""
        with Receiver() as receiver:
            with (
                guarded_session() as session,
                self.assertRaises(requests.exceptions.ConnectionError) as caught,
            ):
                session.get(receiver.url, timeout=2)
            self.assertEqual(blocked_address(caught.exception), "127.0.0.1")
            self.assertEqual(receiver.received, [])
            with guarded_session(allow_internal=True) as session:
                self.assertEqual(session.get(receiver.url, timeout=2).status_code, 200)
            self.assertEqual(len(receiver.received), 1)
