# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Triggers move an opportunity to their stage when something happens; the
stage's robots then run as on any move."""

import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import StageCase


@tagged("post_install", "-at_install")
class TestTriggerTypes(StageCase):
    def stage_of(self, lead):
        return self.read_back(lead).stage_id

    def test_field_match_moves_when_the_opportunity_starts_meeting_the_condition(self):
        trigger = self.trigger(
            self.s2, "field_match", domain="[('expected_revenue', '>=', 1000)]"
        )
        robot = self.robot(self.s2)
        lead = self.new_lead()
        lead.with_user(self.salesman).write({"expected_revenue": 500})
        self.assertEqual(self.stage_of(lead), self.s1)
        lead.with_user(self.salesman).write({"expected_revenue": 2000})
        self.assertEqual(self.stage_of(lead), self.s2)
        self.assertEqual(len(self.robot_runs(robot, lead)), 1, "the stage's robot ran")
        run = self.env["crm.workflow.run"].search([("trigger_id", "=", trigger.id)])
        self.assertEqual((run.res_id, run.state), (lead.id, "done"))

    def test_field_match_does_not_move_back_a_record_moved_back_by_hand(self):
        self.trigger(
            self.s2, "field_match", domain="[('expected_revenue', '>=', 1000)]"
        )
        lead = self.new_lead(expected_revenue=5000)
        self.assertEqual(self.stage_of(lead), self.s2, "created meeting it")
        self.move(lead, self.s1)
        lead.with_user(self.salesman).write({"name": "Still big"})
        self.assertEqual(self.stage_of(lead), self.s1)

    def test_email_received_moves_the_opportunity(self):
        self.trigger(self.s2, "email_received")
        lead = self.new_lead()
        customer = self.env["res.partner"].create(
            {"name": "Carla", "email": "carla@example.com"}
        )
        lead.sudo().message_post(
            body="I would like to order",
            author_id=customer.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(self.stage_of(lead), self.s2)

    def test_email_sent_moves_the_opportunity(self):
        self.trigger(self.s2, "email_sent")
        lead = self.new_lead()
        lead.with_user(self.salesman).message_post(
            body="Here is our offer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(self.stage_of(lead), self.s2)

    def test_call_done_moves_but_another_activity_does_not(self):
        self.trigger(
            self.s2, "activity_done", activity_type_ids=[Command.set(self.call.ids)]
        )
        lead = self.new_lead()
        todo = lead.activity_schedule(
            activity_type_id=self.todo.id, user_id=self.salesman.id
        )
        todo.with_user(self.salesman).action_done()
        self.assertEqual(self.stage_of(lead), self.s1)
        call = lead.activity_schedule(
            activity_type_id=self.call.id, user_id=self.salesman.id
        )
        call.with_user(self.salesman).action_feedback(feedback="Reached")
        self.assertEqual(self.stage_of(lead), self.s2)

    def test_won_moves_the_opportunity(self):
        won_stage = self.env["crm.stage"].create(
            {"name": "P Won", "sequence": 110, "is_won": True, "team_id": self.team.id}
        )
        self.trigger(self.s4, "won", allow_backward=True)
        lead = self.new_lead()
        self.move(lead, won_stage)
        self.assertEqual(self.stage_of(lead), self.s4)

    def test_lost_moves_the_opportunity(self):
        self.trigger(self.s3, "lost")
        lead = self.new_lead()
        lead.with_user(self.salesman).action_set_lost()
        lead = self.read_back(lead.with_context(active_test=False))
        self.assertFalse(lead.active)
        self.assertEqual(lead.stage_id, self.s3)

    def test_inactivity_moves_opportunities_without_change_for_n_days(self):
        trigger = self.trigger(self.s3, "inactivity", inactivity_days=7)
        stale, fresh = self.new_lead("Stale"), self.new_lead("Fresh")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET write_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=8), stale.id],
        )
        self.env.invalidate_all()
        self.assertEqual(trigger._inactive_ids(), stale.ids)
        self.Trigger._cron_inactivity()
        self.assertEqual(self.stage_of(stale), self.s3)
        self.assertEqual(self.stage_of(fresh), self.s1)

    def test_trigger_of_the_current_stage_does_nothing(self):
        trigger = self.trigger(self.s1, "email_sent")
        lead = self.new_lead()
        lead.with_user(self.salesman).message_post(
            body="Hi", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertFalse(
            self.env["crm.workflow.run"].search([("trigger_id", "=", trigger.id)])
        )
        # positive control: from another stage (back, as allowed), it moves
        trigger.allow_backward = True
        elsewhere = self.new_lead(name="Elsewhere", stage=self.s2)
        elsewhere.with_user(self.salesman).message_post(
            body="Hi", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(self.stage_of(elsewhere), self.s1)

    def test_no_backward_move_unless_allowed(self):
        back = self.trigger(self.s1, "email_sent")
        lead = self.new_lead(stage=self.s3)
        lead.with_user(self.salesman).message_post(
            body="Hi", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(self.stage_of(lead), self.s3)
        back.allow_backward = True
        lead.with_user(self.salesman).message_post(
            body="Again", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(self.stage_of(lead), self.s1)

    def test_furthest_trigger_wins_and_the_record_moves_once(self):
        self.trigger(self.s2, "email_sent")
        self.trigger(self.s4, "email_sent")
        robot3 = self.robot(self.s3)
        lead = self.new_lead()
        lead.with_user(self.salesman).message_post(
            body="Hi", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(self.stage_of(lead), self.s4)
        self.assertFalse(self.robot_runs(robot3))

    def test_field_match_without_condition_is_refused(self):
        with self.assertRaises(ValidationError):
            self.trigger(self.s2, "field_match")


@tagged("post_install", "-at_install")
class TestWebhookTrigger(StageCase):
    """The webhook's logic, as the route calls it (the route itself over real
    HTTP: test_board_tour.py, under make test-odoo)."""

    def setUp(self):
        super().setUp()
        self.paid = self.trigger(self.s3, "webhook", name="Payment received")
        self.token = self.paid.sudo().webhook_token
        self.Handler = self.env["crm.workflow.trigger"].sudo()

    def hook(self, body, token=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.Handler._handle_webhook(token or self.token, raw)

    # the answer to a good call, and what makes its move happen
    accepted = 200

    def settle(self):
        """Nothing: the call itself moved the opportunity."""

    def test_payment_received_moves_the_order_by_id(self):
        robot = self.robot(self.s3)
        lead = self.new_lead()
        status, answer = self.hook({"id": lead.id})
        self.assertEqual((status, answer["status"]), (200, "moved"))
        self.assertEqual(self.read_back(lead).stage_id, self.s3)
        self.assertEqual(len(self.robot_runs(robot, lead)), 1)

    def test_record_named_by_email_or_reference_field(self):
        lead = self.new_lead(email_from="buyer@example.com")
        self.assertEqual(self.hook({"email": "BUYER@example.com"})[0], self.accepted)
        self.settle()
        self.assertEqual(self.read_back(lead).stage_id, self.s3)
        other = self.new_lead(referred="ORDER-42")
        self.paid.webhook_reference_field_id = self.field("referred")
        self.assertEqual(self.hook({"ref": "ORDER-42"})[0], self.accepted)
        self.settle()
        self.assertEqual(self.read_back(other).stage_id, self.s3)

    def test_bad_token_unknown_record_bad_json_and_ambiguous(self):
        self.new_lead(email_from="twice@example.com")
        self.new_lead(email_from="twice@example.com")
        self.assertEqual(self.hook({"id": 1}, token="nope")[0], 404)
        self.assertEqual(self.hook({"id": 10**9})[0], 404)
        self.assertEqual(self.hook(b"{not json")[0], 422)
        self.assertEqual(self.hook(b"[1, 2]")[0], 422)
        self.assertEqual(
            self.hook({"email": "twice@example.com"})[1]["status"], "ambiguous"
        )

    def test_every_call_is_logged_without_the_token(self):
        lead = self.new_lead()
        Run = self.env["crm.workflow.run"].sudo()
        before = Run.search([], order="id desc", limit=1).id or 0
        self.hook({"id": lead.id})
        self.hook({"id": 10**9})
        self.hook({"id": 1}, token="wrong-token")
        self.settle()
        runs = Run.search([("trigger", "=", "webhook"), ("id", ">", before)])
        self.assertEqual(len(runs), 3)
        self.assertEqual(sorted(runs.mapped("state")), ["done", "rejected", "rejected"])
        self.assertFalse(any(self.token in (r.error or "") for r in runs))

    def test_rate_limit_answers_429(self):
        self.paid.webhook_rate_limit = 2
        lead = self.new_lead()
        self.assertEqual(self.hook({"id": lead.id})[0], 200)
        self.assertEqual(self.hook({"id": lead.id})[0], 200)
        self.assertEqual(self.hook({"id": lead.id})[0], 429)

    def test_no_backward_move_by_webhook(self):
        lead = self.new_lead(stage=self.s4)
        status, answer = self.hook({"id": lead.id})
        self.assertEqual((status, answer["status"]), (200, "unchanged"))
        self.assertEqual(self.read_back(lead).stage_id, self.s4)

    def test_rotating_the_token_retires_the_old_url(self):
        lead = self.new_lead()
        self.paid.with_user(self.sales_manager).action_rotate_token()
        self.assertEqual(self.hook({"id": lead.id})[0], 404)
        new = self.paid.sudo().webhook_token
        self.assertNotEqual(new, self.token)
        self.assertIn(new, self.paid.with_user(self.sales_manager).webhook_url)

    def test_token_is_readable_only_by_workflow_managers(self):
        with self.assertRaises(AccessError):
            self.paid.with_user(self.salesman).read(["webhook_token"])


@tagged("post_install", "-at_install")
class TestQueuedWebhookTrigger(TestWebhookTrigger):
    """A trigger that answers before moving: 202 once the call is checked,
    the move made by the job runner on the same path (run log, robots)."""

    accepted = 202

    def setUp(self):
        super().setUp()
        self.paid.webhook_queued = True
        self.s4_hook = self.trigger(
            self.s4, "webhook", name="Delivered", webhook_queued=True
        )
        self.s4_token = self.s4_hook.sudo().webhook_token

    def settle(self):
        self.run_queue()

    def run_queue(self):
        Job = self.env["crm.workflow.job"].sudo()
        done = Job._run_due_jobs(automatic=False)
        self.env.invalidate_all()
        return done

    def call_runs(self, lead):
        Run = self.env["crm.workflow.run"].sudo()
        Run.invalidate_model()
        return Run.search(
            [("res_id", "=", lead.id), ("trigger_id", "!=", False)], order="id"
        )

    def test_payment_received_moves_the_order_by_id(self):
        robot = self.robot(self.s3)
        lead = self.new_lead()
        status, answer = self.hook({"id": lead.id})
        self.assertEqual((status, answer["status"]), (202, "queued"))
        self.assertEqual(self.read_back(lead).stage_id, self.s1)
        job = self.env["crm.workflow.job"].sudo().browse(answer["job"])
        self.assertEqual(
            (job.job_type, job.trigger_id, job.state), ("trigger", self.paid, "pending")
        )
        self.assertEqual(job.payload, {"body": {"id": lead.id}})
        self.run_queue()
        self.assertEqual(self.read_back(lead).stage_id, self.s3)
        self.assertEqual(job.state, "done")
        self.assertEqual(len(self.robot_runs(robot, lead)), 1)
        [run] = self.call_runs(lead)
        self.assertEqual(
            (run.state, run.job_id, run.trigger_id), ("done", job, self.paid)
        )

    def test_rate_limit_answers_429(self):
        # the queued calls count before their job has run
        self.paid.webhook_rate_limit = 2
        lead = self.new_lead()
        self.assertEqual(self.hook({"id": lead.id})[0], 202)
        self.assertEqual(self.hook({"id": lead.id})[0], 202)
        self.assertEqual(self.hook({"id": lead.id})[0], 429)
        self.run_queue()
        self.assertEqual(self.hook({"id": lead.id})[0], 429)

    def test_no_backward_move_by_webhook(self):
        lead = self.new_lead(stage=self.s4)
        status, answer = self.hook({"id": lead.id})
        self.assertEqual((status, answer["status"]), (202, "queued"))
        self.run_queue()
        self.assertEqual(self.read_back(lead).stage_id, self.s4)
        [run] = self.call_runs(lead)
        self.assertEqual(run.state, "skipped")
        self.assertIn("stays where it is", run.error)

    def test_calls_of_one_run_move_in_the_order_they_came(self):
        # lead a: s3, then s4 (allowed back), then s3 again: it ends in s3;
        # each call is one job and one run-log row
        self.paid.allow_backward = True
        a, b, c = self.new_lead("A"), self.new_lead("B"), self.new_lead("C")
        self.hook({"id": a.id})
        self.hook({"id": b.id})
        self.hook({"id": a.id}, token=self.s4_token)
        self.hook({"id": a.id})
        self.hook({"id": c.id}, token=self.s4_token)
        self.hook({"id": c.id}, token=self.s4_token)
        self.assertEqual(self.run_queue(), 6)
        self.assertEqual(self.read_back(a).stage_id, self.s3)
        self.assertEqual(self.read_back(b).stage_id, self.s3)
        self.assertEqual(self.read_back(c).stage_id, self.s4)
        self.assertEqual(self.call_runs(a).mapped("state"), ["done", "done", "done"])
        self.assertEqual(
            self.call_runs(a).mapped("trigger_id"), self.paid | self.s4_hook | self.paid
        )
        self.assertEqual(self.call_runs(c).mapped("state"), ["done", "skipped"])

    def test_deleted_record_or_archived_trigger_cancels_the_call(self):
        gone, kept = self.new_lead("Gone"), self.new_lead("Kept")
        self.hook({"id": gone.id})
        self.hook({"id": kept.id}, token=self.s4_token)
        gone.sudo().unlink()
        self.s4_hook.active = False
        self.run_queue()
        Job = self.env["crm.workflow.job"].sudo()
        jobs = Job.search([("job_type", "=", "trigger")], order="id desc", limit=2)
        self.assertEqual(jobs.mapped("state"), ["cancelled", "cancelled"])
        self.assertEqual(self.read_back(kept).stage_id, self.s1)
        [run] = self.call_runs(kept)
        self.assertEqual(
            (run.state, run.error), ("skipped", "The trigger was archived.")
        )

    def test_failing_move_is_retried_and_logged(self):
        lead = self.new_lead()
        # a move that the database refuses
        self.env.cr.execute(
            "ALTER TABLE crm_lead ADD CONSTRAINT cwa_test_no_s3 CHECK (stage_id != %s)",
            [self.s3.id],
        )
        self.hook({"id": lead.id})
        self.run_queue()
        job = (
            self.env["crm.workflow.job"]
            .sudo()
            .search([("job_type", "=", "trigger")], order="id desc", limit=1)
        )
        self.assertEqual(self.read_back(lead).stage_id, self.s1)
        self.assertIn(job.state, ("failed", "dead"))
        self.assertIn("cwa_test_no_s3", job.last_error)
        self.assertEqual(self.call_runs(lead).mapped("state"), ["failed"])

    def test_retried_call_with_the_same_delivery_id_is_queued_once(self):
        lead = self.new_lead()
        raw = json.dumps({"id": lead.id}).encode()
        first = self.Handler._handle_webhook(self.token, raw, delivery_id="evt_1")
        again = self.Handler._handle_webhook(self.token, raw, delivery_id="evt_1")
        other = self.Handler._handle_webhook(self.token, raw, delivery_id="evt_2")
        self.assertEqual(first[1]["status"], "queued")
        self.assertEqual(again, (202, {"status": "duplicate", "id": lead.id}))
        self.assertEqual(other[1]["status"], "queued")
        self.assertEqual(self.run_queue(), 2)

    def test_a_large_body_is_not_kept_on_the_job(self):
        lead = self.new_lead()
        raw = json.dumps({"id": lead.id, "note": "x" * 20000}).encode()
        status, answer = self.Handler._handle_webhook(self.token, raw)
        self.assertEqual(status, 202)
        job = self.env["crm.workflow.job"].sudo().browse(answer["job"])
        self.assertEqual(job.payload, {"body_bytes": len(raw)})
        self.run_queue()
        self.assertEqual(self.read_back(lead).stage_id, self.s3)

    def test_the_card_says_the_call_is_answered_before_moving(self):
        self.assertIn("answered before moving", self.paid.summary)
        self.paid.webhook_queued = False
        self.assertNotIn("answered before moving", self.paid.summary)
