# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pending jobs when a live rule or automation rule is edited: kept as they
were scheduled (they run the version that queued them), the change applied
to them, or cancelled; the same choice when an action is deleted."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import JobCase, StageCase

POLICY = "crm_workflow_pending_jobs"


@tagged("post_install", "-at_install")
class TestPinnedRuleJobs(JobCase):
    def setUp(self):
        super().setUp()
        self.rule = self.make_rule(
            name="Referral two days later",
            trigger="on_create",
            domain=f"[('stage_id', '=', {self.stage_new.id})]",
            actions=[
                self.field_update(
                    "referred",
                    "old",
                    timing="scheduled",
                    delay_amount=2,
                    delay_unit="days",
                )
            ],
        )
        self.condition = self.rule.condition_ids
        self.action = self.condition.action_ids

    def queue(self):
        """A new lead queues the scheduled action: (trap, lead, job)."""
        with self.trap_jobs() as trap:
            lead = self.lead()
            job = trap.assert_enqueued(count=1, records=lead, state="pending")
        return trap, lead, job

    def referred(self, lead):
        self.env.invalidate_all()
        return lead.referred

    def test_a_kept_job_runs_the_action_as_it_was_when_queued(self):
        trap, lead, job = self.queue()
        queued_by = job.version_id
        self.assertTrue(queued_by)
        self.action.write({"update_value": "new"})
        self.assertEqual(job.version_id, queued_by, "the job keeps its version")
        trap.run_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.referred(lead), "old")
        # the run log names the live rule and action
        run = self.runs(self.rule, lead, state="done")
        self.assertEqual(run.action_id, self.action)
        # a lead created after the edit runs the new version
        trap, later, __ = self.queue()
        trap.run_all()
        self.assertEqual(self.referred(later), "new")

    def test_applying_the_change_runs_the_new_action_settings(self):
        trap, lead, job = self.queue()
        self.action.with_context(**{POLICY: "apply"}).write({"update_value": "new"})
        last = self.rule._versions().sorted("number")[-1]
        self.assertEqual(job.version_id, last)
        trap.run_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.referred(lead), "new")

    def test_cancelling_leaves_no_job_pending(self):
        trap, lead, job = self.queue()
        self.assertEqual(self.rule.pending_job_count, 1)
        self.action.with_context(**{POLICY: "cancel"}).write({"update_value": "new"})
        self.assertEqual(job.state, "cancelled")
        self.assertIn("Referral two days later", job.cancel_reason)
        self.rule.invalidate_recordset(["pending_job_count"])
        self.assertEqual(self.rule.pending_job_count, 0)
        trap.run_all()
        self.assertFalse(self.referred(lead))

    def test_a_save_that_changes_nothing_touches_no_job(self):
        trap, lead, job = self.queue()
        self.rule.with_context(**{POLICY: "cancel"}).write({"name": self.rule.name})
        self.assertEqual(job.state, "pending")

    def test_the_form_sends_the_choice_with_the_save(self):
        """The rule form's choice is a field of the write, as the web client
        sends it with the rule's nested action."""
        edit = {
            "condition_ids": [
                Command.update(
                    self.condition.id,
                    {
                        "action_ids": [
                            Command.update(self.action.id, {"update_value": "new"})
                        ]
                    },
                )
            ]
        }
        trap, kept_lead, kept = self.queue()
        self.rule.write(dict(edit, pending_job_policy="keep"))
        trap.run_all()
        self.assertEqual(self.referred(kept_lead), "old")

        edit["condition_ids"][0][2]["action_ids"][0][2]["update_value"] = "newer"
        trap, lead, job = self.queue()
        self.rule.write(dict(edit, pending_job_policy="apply"))
        trap.run_all()
        self.assertEqual(self.referred(lead), "newer")

        edit["condition_ids"][0][2]["action_ids"][0][2]["update_value"] = "newest"
        trap, lead, job = self.queue()
        self.rule.write(dict(edit, pending_job_policy="cancel"))
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(self.rule.pending_job_policy, "keep")

    def test_the_rule_form_shows_the_count_and_sends_the_choice(self):
        trap, lead, job = self.queue()
        with Form(self.rule) as form:
            self.assertEqual(form.pending_job_count, 1)
            self.assertEqual(form.pending_job_policy, "keep")
            form.pending_job_policy = "cancel"
            form.name = "Referral three days later"
        self.assertEqual(job.state, "cancelled")

    def test_a_kept_job_is_checked_against_the_criteria_of_its_version(self):
        trap, lead, job = self.queue()
        tighter = f"[('stage_id', '=', {self.stage_new.id}), ('priority', '=', '3')]"
        self.condition.write({"domain": tighter})
        trap.run_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.referred(lead), "old")

    def test_applied_criteria_drop_a_record_that_no_longer_meets_them(self):
        trap, lead, job = self.queue()
        tighter = f"[('stage_id', '=', {self.stage_new.id}), ('priority', '=', '3')]"
        self.condition.with_context(**{POLICY: "apply"}).write({"domain": tighter})
        trap.run_all()
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(job.cancel_reason, "The record no longer meets the criteria.")
        self.assertFalse(self.referred(lead))

    def test_a_deleted_action_still_runs_for_the_jobs_kept(self):
        trap, lead, job = self.queue()
        action_id = self.action.id
        self.action.unlink()
        self.assertEqual(job.state, "pending")
        self.assertFalse(job.action_id)
        self.assertEqual(job.action_ref, action_id)
        trap.run_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.referred(lead), "old")
        run = self.runs(self.rule, lead, state="done")
        self.assertTrue(run)
        self.assertFalse(run.action_id)

    def test_a_deleted_condition_still_runs_its_action_for_the_jobs_kept(self):
        trap, lead, job = self.queue()
        self.rule.write(
            {
                "condition_ids": [
                    Command.delete(self.condition.id),
                    Command.create({"domain": "[]"}),
                ]
            }
        )
        self.assertFalse(self.condition.exists())
        self.assertEqual(job.state, "pending")
        trap.run_all()
        self.assertEqual(job.last_error, False)
        self.assertEqual(job.state, "done")
        self.assertEqual(self.referred(lead), "old")

    def test_deleting_an_action_can_cancel_its_jobs(self):
        for policy in ("cancel", "apply"):
            with self.subTest(policy=policy):
                trap, lead, job = self.queue()
                action = self.rule.condition_ids.action_ids
                action.with_context(**{POLICY: policy}).unlink()
                self.assertEqual(job.state, "cancelled")
                trap.run_all()
                self.assertFalse(self.referred(lead))
                self.condition.write(
                    {
                        "action_ids": [
                            Command.create(
                                self.field_update(
                                    "referred",
                                    "old",
                                    timing="scheduled",
                                    delay_amount=2,
                                    delay_unit="days",
                                )
                            )
                        ]
                    }
                )

    def test_a_job_queued_before_pinning_keeps_the_version_before_the_edit(self):
        """A job without a version (queued before the upgrade): the first edit
        pins it to the version it was queued under."""
        trap, lead, job = self.queue()
        job.flush_recordset()
        self.env.cr.execute(
            "UPDATE crm_workflow_job SET version_id = NULL WHERE id = %s", [job.id]
        )
        self.rule._versions().unlink()  # a rule from before the history
        job.invalidate_recordset()
        self.action.write({"update_value": "new"})
        self.assertEqual(job.version_id.kind, "baseline")
        trap.run_all()
        self.assertEqual(self.referred(lead), "old")

    def test_the_count_shown_is_the_open_jobs(self):
        with self.trap_jobs() as trap:
            self.lead()
            self.lead()
            self.lead(name="Other")
        open_jobs = trap.assert_enqueued(count=3, state="pending")
        self.assertEqual(self.rule.pending_job_count, 3)
        open_jobs[0].action_cancel()
        self.rule.invalidate_recordset(["pending_job_count"])
        self.assertEqual(self.rule.pending_job_count, 2)

    def test_a_thousand_pending_jobs_are_counted_then_kept_applied_or_cancelled(self):
        """The issue's case: a live rule with 1,000 pending jobs (queued in one
        batch as the engine queues them; creating 1,000 leads would only make
        the test slow)."""
        lead = self.lead(stage_id=self.stage_qualified.id)
        eta = fields.Datetime.now() + timedelta(days=2)
        ids = self.Job._enqueue(
            [
                {
                    "rule_id": self.rule.id,
                    "action_id": self.action.id,
                    "condition_id": self.condition.id,
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "eta": eta,
                    "idempotency_key": f"pinned-test:{i}",
                }
                for i in range(1000)
            ]
        )
        jobs = self.Job.browse(ids)
        self.assertEqual(len(jobs), 1000)
        queued_by = jobs.version_id
        self.assertEqual(queued_by, self.rule._versions().sorted("number")[-1])
        self.assertEqual(self.rule.pending_job_count, 1000)
        self.action.write({"update_value": "new"})
        jobs.invalidate_recordset()
        self.assertEqual(jobs.version_id, queued_by)
        self.rule.write({"name": "Renamed", "pending_job_policy": "apply"})
        jobs.invalidate_recordset()
        self.assertEqual(jobs.version_id, self.rule._versions().sorted("number")[-1])
        self.assertNotEqual(jobs.version_id, queued_by)
        self.rule.write({"name": "Renamed again", "pending_job_policy": "cancel"})
        self.rule.invalidate_recordset(["pending_job_count"])
        self.assertEqual(self.rule.pending_job_count, 0)
        self.assertEqual(set(jobs.mapped("state")), {"cancelled"})

    def test_an_unknown_choice_is_refused_before_the_save(self):
        self.queue()
        with self.assertRaises(UserError):
            self.action.with_context(**{POLICY: "later"}).write({"update_value": "new"})
        self.assertEqual(self.action.update_value, "old")


@tagged("post_install", "-at_install")
class TestPinnedRobotJobs(StageCase):
    def setUp(self):
        super().setUp()
        self.bot = self.robot(
            self.s2,
            timing="scheduled",
            delay_amount=1,
            delay_unit="hours",
            update_field_id=self.field("referred").id,
            update_value="old",
        )

    def queue(self):
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            job = trap.assert_enqueued(count=1, state="pending")
        self.assertEqual(job.robot_id, self.bot)
        return trap, lead, job

    def referred(self, lead):
        return self.read_back(lead).referred

    def test_a_kept_robot_job_runs_the_robot_as_it_was(self):
        trap, lead, job = self.queue()
        self.assertEqual(self.bot.pending_job_count, 1)
        self.bot.write({"update_value": "new", "delay_amount": 2})
        trap.run_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.referred(lead), "old")
        self.assertTrue(self.robot_runs(self.bot, lead))

    def test_an_applied_change_runs_the_new_robot(self):
        trap, lead, job = self.queue()
        self.bot.write({"update_value": "new", "pending_job_policy": "apply"})
        trap.run_all()
        self.assertEqual(self.referred(lead), "new")

    def test_the_robot_form_shows_the_count_and_sends_the_choice(self):
        trap, lead, job = self.queue()
        with Form(self.bot) as form:
            self.assertEqual(form.pending_job_count, 1)
            form.pending_job_policy = "apply"
            form.update_value = "new"
        trap.run_all()
        self.assertEqual(self.referred(lead), "new")

    def test_a_cancelled_robot_job_does_not_run(self):
        trap, lead, job = self.queue()
        self.bot.with_context(**{POLICY: "cancel"}).write({"update_value": "new"})
        self.assertEqual(job.state, "cancelled")
        self.bot.invalidate_recordset(["pending_job_count"])
        self.assertEqual(self.bot.pending_job_count, 0)
        trap.run_all()
        self.assertFalse(self.referred(lead))

    def test_a_kept_robot_job_keeps_the_criteria_of_its_version(self):
        trap, lead, job = self.queue()
        self.bot.write({"domain": "[('priority', '=', '3')]"})
        trap.run_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.referred(lead), "old")

    def test_applied_robot_criteria_drop_a_record_that_no_longer_meets_them(self):
        trap, lead, job = self.queue()
        self.bot.write(
            {"domain": "[('priority', '=', '3')]", "pending_job_policy": "apply"}
        )
        trap.run_all()
        self.assertEqual(job.state, "cancelled")
        self.assertFalse(self.referred(lead))

    def test_a_type_that_needs_its_stored_action_runs_the_live_one(self):
        """A request for information links its task to the stored action: a
        kept job of such a robot runs the robot as it is now."""
        request = self.robot(
            self.s3,
            name="Ask the delivery date",
            action_type="request_info",
            timing="scheduled",
            delay_amount=1,
            delay_unit="hours",
            activity_type_id=self.todo.id,
            activity_user_type="user",
            activity_user_id=self.salesman.id,
            activity_summary="Old question",
            request_field_ids=[Command.create({"name": "floor", "label": "Floor"})],
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s3)
            job = trap.assert_enqueued(count=1, state="pending")
        request.write({"activity_summary": "New question"})
        self.assertNotEqual(job.version_id, request._versions().sorted("number")[-1])
        trap.run_all()
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(activity.summary, "New question")
        self.assertEqual(activity.workflow_action_id, request.action_id)
