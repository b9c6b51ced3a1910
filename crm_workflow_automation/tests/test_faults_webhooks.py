# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Hostile receivers: one that accepts the connection and never answers, one
that answers 10 MB, one that redirects to an internal address. The runner
stays bounded in time and memory, and the SSRF guard holds on redirects."""

# pylint: disable=print-used  # the FAULT line is the test's report (pytest -s)

import socket
import time
import tracemalloc

from odoo.tests import tagged

from .common import TIMEOUT, WebhookCase
from .receiver import Answer, Receiver

TEN_MB = 10 * 1024 * 1024


class SilentListener:
    """A TCP port that accepts connections (the kernel completes the
    handshake) and never reads nor answers."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        return self

    def __exit__(self, *exc):
        self.sock.close()


@tagged("post_install", "-at_install")
class TestHostileReceivers(WebhookCase):
    def deliver(self, url):
        rule = self.webhook_rule(url)
        with self.trap_jobs() as trap:
            lead = self.Lead.create({"name": "Hostile"})
            started = time.monotonic()
            trap.run()
            elapsed = time.monotonic() - started
            job = trap.assert_enqueued(count=1, records=lead)
        return rule, job, elapsed

    def test_receiver_that_never_answers_times_out_and_is_retried(self):
        self.ICP.set_param(TIMEOUT, "1")
        with SilentListener() as listener:
            __, job, elapsed = self.deliver(listener.url)
        self.assertEqual(job.state, "failed")
        self.assertIn("Timed out after 1.0 s", job.attempt_ids.error)
        self.assertLess(elapsed, 10, "the runner waited for a silent receiver")

    def test_ten_megabyte_answer_keeps_a_short_excerpt_and_little_memory(self):
        body = b"x" * TEN_MB
        with Receiver(default=Answer(body=body)) as receiver:
            tracemalloc.start()
            try:
                __, job, __ = self.deliver(receiver.url)
                __, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        self.assertEqual(job.state, "done")
        excerpt = job.attempt_ids.response_excerpt
        self.assertEqual(excerpt, "x" * 1000)
        print(f"\nFAULT 10 MB answer: excerpt {len(excerpt)} chars, peak {peak} B")
        self.assertLess(peak, TEN_MB // 4, "the answer was read into memory")

    def test_redirect_to_an_internal_address_is_not_followed(self):
        """An allow-listed receiver may not bounce the delivery elsewhere: a
        redirect target would escape the internal-address check."""
        with Receiver() as internal:
            target = internal.url.replace("127.0.0.1", "localhost") + "/admin"
            redirect = Answer(status=302, headers={"Location": target})
            with Receiver(default=redirect) as receiver:
                rule, job, __ = self.deliver(receiver.url)
        self.assertEqual(len(receiver.received), 1)
        self.assertEqual(internal.received, [], "the redirect was followed")
        self.assertEqual(job.state, "dead")
        self.assertIn("redirects are not followed", job.last_error)
        self.assertIn(target, job.last_error)
        self.assertIn("failed", self.runs(rule=rule).mapped("state"))
