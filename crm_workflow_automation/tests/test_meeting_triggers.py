# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Appointment workflows: a meeting of an opportunity booked, moved,
cancelled, about to start or held runs the rules and stage triggers that
wait for it; its jobs follow the meeting."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StageCase


class MeetingCase(StageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kenji Sato", "email": "kenji@example.com", "tz": "Asia/Tokyo"}
        )
        cls.Meeting = cls.env["calendar.event"]

    def booked(self, lead, in_hours=72, hours=1, name="Site visit", **values):
        """A meeting of ``lead`` (None: of no opportunity) starting in
        ``in_hours``, booked by the salesperson."""
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=in_hours)
        vals = {
            "name": name,
            "start": start,
            "stop": start + timedelta(hours=hours),
            "opportunity_id": lead.id if lead else False,
            **values,
        }
        return self.Meeting.with_user(self.salesman).create(vals)

    def meeting_rule(self, trigger, priority="3", **values):
        return self.make_rule(
            "Meeting rule",
            trigger=trigger,
            actions=[self.set_priority(priority)],
            **values,
        )

    def priority(self, lead):
        return self.read_back(lead).priority


@tagged("post_install", "-at_install")
class TestMeetingRules(MeetingCase):
    def test_booking_a_meeting_runs_the_meeting_booked_rule(self):
        rule = self.meeting_rule("on_meeting_booked")
        lead = self.new_lead(partner_id=self.customer.id)
        self.booked(lead)
        self.assertEqual(self.priority(lead), "3")
        run = self.runs(rule, lead)
        self.assertEqual(len(run), 1)
        self.assertEqual(run.event_description, "Meeting booked")

    def test_meeting_made_from_the_chatter_names_its_opportunity(self):
        rule = self.meeting_rule("on_meeting_booked")
        lead = self.new_lead()
        self.booked(
            None,
            res_model_id=self.env["ir.model"]._get_id("crm.lead"),
            res_id=lead.id,
        )
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_meeting_without_an_opportunity_fires_nothing(self):
        booked = self.meeting_rule("on_meeting_booked")
        before = self.meeting_rule("on_meeting_before", meeting_offset=1)
        held = self.meeting_rule("on_meeting_held")
        with self.trap_jobs() as trap:
            meeting = self.booked(None)
            meeting.write({"start": meeting.start + timedelta(hours=1)})
            meeting.unlink()
            trap.assert_enqueued(count=0)
        self.assertFalse(self.runs(booked) | self.runs(before) | self.runs(held))

    def test_nothing_listening_queues_nothing(self):
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.booked(lead)
            trap.assert_enqueued(count=0)

    def test_moving_a_meeting_runs_the_rescheduled_rule(self):
        rule = self.meeting_rule("on_meeting_rescheduled")
        lead = self.new_lead()
        meeting = self.booked(lead)
        meeting.with_user(self.salesman).write({"name": "Visit (renamed)"})
        self.assertFalse(self.runs(rule, lead), "a new name does not move it")
        meeting.with_user(self.salesman).write(
            {
                "start": meeting.start + timedelta(days=1),
                "stop": meeting.stop + timedelta(days=1),
            }
        )
        run = self.runs(rule, lead)
        self.assertTrue(run)
        self.assertEqual(run[0].event_description, "Meeting rescheduled")

    def test_archiving_or_deleting_a_meeting_runs_the_cancelled_rule(self):
        rule = self.meeting_rule("on_meeting_cancelled")
        lead1, lead2 = self.new_lead("One"), self.new_lead("Two")
        self.booked(lead1).with_user(self.salesman).write({"active": False})
        self.assertEqual(self.priority(lead1), "3")
        self.booked(lead2).unlink()
        self.assertEqual(self.priority(lead2), "3")
        self.assertEqual(
            set(self.runs(rule).mapped("event_description")), {"Meeting cancelled"}
        )

    def test_meeting_filter_picks_the_meetings(self):
        rule = self.meeting_rule(
            "on_meeting_booked", meeting_domain="[('name', 'ilike', 'visit')]"
        )
        lead1, lead2 = self.new_lead("Call"), self.new_lead("Visit")
        self.booked(lead1, name="Phone call")
        self.booked(lead2, name="Site visit")
        self.assertEqual(self.runs(rule).mapped("res_id"), [lead2.id])

    def test_invalid_meeting_filter_is_refused(self):
        with self.assertRaises(ValidationError):
            self.meeting_rule("on_meeting_booked", meeting_domain="[('nope', '=', 1)]")

    def test_meeting_trigger_on_another_record_type_is_refused(self):
        with self.assertRaises(ValidationError):
            self.make_rule(
                "Meeting rule on contacts",
                trigger="on_meeting_booked",
                model_id=self.env["ir.model"]._get_id("res.partner"),
            )

    def test_two_meetings_of_one_opportunity_booked_together_run_twice(self):
        rule = self.meeting_rule("on_meeting_booked")
        lead = self.new_lead()
        start = fields.Datetime.now() + timedelta(days=3)
        self.Meeting.with_user(self.salesman).create(
            [
                {
                    "name": name,
                    "start": start + timedelta(hours=n),
                    "stop": start + timedelta(hours=n + 1),
                    "opportunity_id": lead.id,
                }
                for n, name in enumerate(("First", "Second"))
            ]
        )
        self.assertEqual(len(self.runs(rule, lead)), 2)

    def test_recurring_meeting_is_booked_once_and_each_occurrence_has_its_job(self):
        booked = self.meeting_rule("on_meeting_booked")
        before = self.meeting_rule("on_meeting_before", meeting_offset=1)
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            meeting = self.booked(
                lead,
                recurrency=True,
                rrule_type="daily",
                end_type="count",
                count=3,
            )
            occurrences = meeting.recurrence_id.calendar_event_ids
            self.assertEqual(len(occurrences), 3)
            trap.assert_enqueued(count=3, rule=before)
        self.assertEqual(len(self.runs(booked, lead)), 1)

    def test_opportunity_of_another_company_runs_only_that_companys_rules(self):
        other = self.env["res.company"].create({"name": "Other company (meetings)"})
        ours = self.meeting_rule("on_meeting_booked", priority="1")
        theirs = self.meeting_rule(
            "on_meeting_booked", priority="2", company_id=other.id
        )
        before_ours = self.meeting_rule("on_meeting_before", priority="1")
        before_theirs = self.meeting_rule(
            "on_meeting_before", priority="2", company_id=other.id
        )
        lead = (
            self.env["crm.lead"]
            .with_company(other)
            .create({"name": "Abroad", "type": "opportunity", "company_id": other.id})
        )
        with self.trap_jobs() as trap:
            self.Meeting.with_company(other).create(
                {
                    "name": "Visit abroad",
                    "start": fields.Datetime.now() + timedelta(days=3),
                    "stop": fields.Datetime.now() + timedelta(days=3, hours=1),
                    "opportunity_id": lead.id,
                }
            )
            trap.assert_enqueued(count=0, rule=before_ours)
            trap.assert_enqueued(count=1, rule=before_theirs)
        self.assertFalse(self.runs(ours, lead))
        self.assertEqual(len(self.runs(theirs, lead)), 1)
        self.assertEqual(self.priority(lead), "2")


@tagged("post_install", "-at_install")
class TestMeetingJobs(MeetingCase):
    def test_before_the_meeting_queues_one_job_that_runs_before_it(self):
        rule = self.meeting_rule(
            "on_meeting_before", meeting_offset=2, meeting_offset_unit="hours"
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            meeting = self.booked(lead, in_hours=5)
            job = trap.assert_enqueued(count=1, rule=rule, records=lead)
            self.assertEqual(job.eta, meeting.start - timedelta(hours=2))
            self.assertEqual(job.payload["meeting_id"], meeting.id)
            self.assertEqual(trap.run(), 0, "not due yet")
            self.assertEqual(trap.run(at=job.eta), 1)
        self.assertEqual(self.priority(lead), "3")
        run = self.runs(rule, lead)
        self.assertEqual(run.event_description, "Before the meeting starts")

    def test_moving_the_meeting_moves_its_job(self):
        rule = self.meeting_rule("on_meeting_before", meeting_offset=1)
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            meeting = self.booked(lead)
            first = trap.assert_enqueued(count=1, rule=rule)
            meeting.with_user(self.salesman).write(
                {
                    "start": meeting.start + timedelta(days=2),
                    "stop": meeting.stop + timedelta(days=2),
                }
            )
            jobs = trap.assert_enqueued(count=2, rule=rule)
            self.assertEqual(first.state, "cancelled")
            self.assertIn("moved", first.cancel_reason)
            second = jobs - first
            self.assertEqual(second.state, "pending")
            self.assertAlmostEqual(
                (second.eta - first.eta).total_seconds(), 2 * 86400, delta=3600
            )
            # and back: the first time again, a job again
            meeting.with_user(self.salesman).write(
                {
                    "start": meeting.start - timedelta(days=2),
                    "stop": meeting.stop - timedelta(days=2),
                }
            )
            pending = trap.assert_enqueued(count=1, rule=rule, state="pending")
            self.assertEqual(pending.eta, first.eta)
            self.assertEqual(trap.run_all(), 1)
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_cancelling_or_deleting_the_meeting_cancels_its_job(self):
        rule = self.meeting_rule("on_meeting_before", meeting_offset=1)
        lead1, lead2 = self.new_lead("One"), self.new_lead("Two")
        with self.trap_jobs() as trap:
            archived = self.booked(lead1)
            deleted = self.booked(lead2)
            archived.with_user(self.salesman).write({"active": False})
            deleted.unlink()
            jobs = trap.assert_enqueued(count=2, rule=rule)
            self.assertEqual(set(jobs.mapped("state")), {"cancelled"})
            self.assertEqual(trap.run_all(), 0)
        self.assertFalse(self.runs(rule))

    def test_meeting_held_runs_after_its_end(self):
        rule = self.meeting_rule("on_meeting_held")
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            meeting = self.booked(lead, in_hours=1, hours=2)
            job = trap.assert_enqueued(count=1, records=lead)
            self.assertEqual(job.eta, meeting.stop)
            self.assertEqual(trap.run(at=meeting.start + timedelta(minutes=30)), 0)
            self.assertFalse(self.runs(rule, lead), "not held yet")
            trap.run(at=meeting.stop + timedelta(minutes=1))
        run = self.runs(rule, lead)
        self.assertEqual(len(run), 1)
        self.assertEqual(run.event_description, "Meeting held")

    def test_cancelled_meeting_is_never_held(self):
        rule = self.meeting_rule("on_meeting_held")
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            meeting = self.booked(lead, in_hours=1)
            meeting.with_user(self.salesman).write({"active": False})
            trap.run_all()
        self.assertFalse(self.runs(rule, lead))

    def test_a_rule_saved_later_queues_jobs_for_meetings_already_booked(self):
        lead = self.new_lead()
        meeting = self.booked(lead)
        with self.trap_jobs() as trap:
            rule = self.meeting_rule("on_meeting_before", meeting_offset=1)
            job = trap.assert_enqueued(count=1, rule=rule, records=lead)
            rule.write({"meeting_offset": 2})
            self.assertEqual(job.state, "cancelled")
            moved = trap.assert_enqueued(rule=rule, state="pending")
            self.assertAlmostEqual(
                (meeting.start - moved.eta).total_seconds(), 2 * 86400, delta=3600
            )
            held = self.meeting_rule("on_meeting_held")
            trap.assert_enqueued(count=1, rule=self.Rule, records=lead)
        self.assertTrue(held)

    def test_confirmation_email_shows_the_meeting_in_the_customers_time_zone(self):
        template = self.env["mail.template"].create(
            {
                "name": "Meeting confirmation (tests)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Meeting {{ object.workflow_meeting_id.name }}",
                "body_html": '<p>On <t t-out="format_datetime('
                "object.workflow_meeting_id.start, tz=object.partner_id.tz, "
                "dt_format='yyyy-MM-dd HH:mm')\"/></p>",
            }
        )
        self.make_rule(
            "Confirm meetings",
            trigger="on_meeting_booked",
            actions=[
                {
                    "action_type": "email",
                    "mail_template_id": template.id,
                    "email_recipients": "customer",
                }
            ],
        )
        lead = self.new_lead(partner_id=self.customer.id)
        self.booked(lead, name="Earlier visit", in_hours=24)
        later = self.booked(lead, name="Later visit", in_hours=48)
        mail = self.env["mail.mail"].search(
            [("subject", "=", "Meeting Later visit")], limit=1
        )
        self.assertTrue(mail, "the template read the meeting that was booked")
        tokyo = later.start + timedelta(hours=9)  # Japan has no summer time
        self.assertIn(tokyo.strftime("%Y-%m-%d %H:%M"), mail.body_html)


@tagged("post_install", "-at_install")
class TestMeetingStageTriggers(MeetingCase):
    def test_booking_moves_the_opportunity_to_meeting_booked(self):
        trigger = self.trigger(self.s2, "meeting_booked", name="Meeting booked")
        lead = self.new_lead()
        self.booked(lead)
        self.assertEqual(self.read_back(lead).stage_id, self.s2)
        run = self.env["crm.workflow.run"].search([("trigger_id", "=", trigger.id)])
        self.assertEqual(run.res_id, lead.id)
        self.assertEqual(run.event_description, "Meeting booked")

    def test_meeting_without_an_opportunity_moves_nothing(self):
        self.trigger(self.s2, "meeting_booked")
        lead = self.new_lead()
        self.booked(None)
        self.assertEqual(self.read_back(lead).stage_id, self.s1)

    def test_held_meeting_moves_the_opportunity(self):
        self.trigger(self.s3, "meeting_held")
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            meeting = self.booked(lead, in_hours=1)
            self.assertEqual(self.read_back(lead).stage_id, self.s1)
            trap.run(at=meeting.stop + timedelta(minutes=1))
        self.assertEqual(self.read_back(lead).stage_id, self.s3)

    def test_held_trigger_made_after_the_booking_still_moves(self):
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            meeting = self.booked(lead, in_hours=1)
            # booked while nobody listened: no job yet
            trap.assert_enqueued(count=0)
            self.trigger(self.s3, "meeting_held")
            trap.assert_enqueued(count=1)
            trap.run(at=meeting.stop + timedelta(minutes=1))
        self.assertEqual(self.read_back(lead).stage_id, self.s3)

    def test_meeting_filter_of_a_stage_trigger(self):
        self.trigger(
            self.s2, "meeting_booked", meeting_domain="[('name', 'ilike', 'demo')]"
        )
        lead1, lead2 = self.new_lead("One"), self.new_lead("Two")
        self.booked(lead1, name="Call")
        self.booked(lead2, name="Product demo")
        self.assertEqual(self.read_back(lead1).stage_id, self.s1)
        self.assertEqual(self.read_back(lead2).stage_id, self.s2)


@tagged("post_install", "-at_install")
class TestMeetingTriggerLabels(MeetingCase):
    def test_why_not_names_the_meeting_trigger(self):
        rule = self.meeting_rule("on_meeting_booked")
        lead = self.new_lead()
        action = self.env["crm.workflow.explain"].action_explain(lead._name, lead.id)
        explain = self.env["crm.workflow.explain"].browse(action["res_id"])
        step = explain.line_ids.filtered(
            lambda line: line.rule_id == rule and line.step == "trigger"
        )
        self.assertIn("Meeting booked", step.detail)
        self.assertNotIn("on_meeting_booked", step.detail)

    def test_why_not_tells_when_the_rule_runs_before_the_meeting(self):
        rule = self.meeting_rule("on_meeting_before", meeting_offset=1)
        lead = self.new_lead()
        explain = self.env["crm.workflow.explain"]
        step = explain.browse(explain.action_explain(lead._name, lead.id)["res_id"])
        trigger = step.line_ids.filtered(
            lambda line: line.rule_id == rule and line.step == "trigger"
        )
        self.assertIn("Before the meeting starts", trigger.detail)
        self.assertIn("no upcoming meeting", trigger.detail)
        self.booked(lead)
        step = explain.browse(explain.action_explain(lead._name, lead.id)["res_id"])
        trigger = step.line_ids.filtered(
            lambda line: line.rule_id == rule and line.step == "trigger"
        )
        self.assertEqual(trigger.result, "yes")
        self.assertIn("scheduled for", trigger.detail)

    def test_job_of_a_held_meeting_is_named_by_its_event(self):
        self.meeting_rule("on_meeting_held")
        lead = self.new_lead("Held deal")
        with self.trap_jobs() as trap:
            self.booked(lead)
            job = trap.assert_enqueued(count=1, records=lead)
        self.assertEqual(job.job_type, "meeting")
        self.assertEqual(job.display_name, "Meeting held / Held deal")

    def test_preview_lists_the_runs_before_upcoming_meetings(self):
        rule = self.meeting_rule("on_meeting_before", meeting_offset=1, active=False)
        lead = self.new_lead()
        self.booked(lead, in_hours=72)
        preview = self.env["crm.workflow.preview"].create({"rule_id": rule.id})
        self.assertEqual(preview.scheduled_count, 1)
        self.assertIn(lead.display_name, preview.first_due_times)
        self.assertNotIn("on_meeting_before", str(preview.read()[0]))

    def test_run_log_and_test_run_name_the_trigger(self):
        rule = self.meeting_rule("on_meeting_held")
        lead = self.new_lead()
        self.booked(lead, in_hours=-3, hours=1)  # held already
        wizard = self.env["crm.workflow.test.run"].create(
            {"rule_id": rule.id, "res_id": lead.id}
        )
        wizard.action_run()
        details = "\n".join(wizard.line_ids.mapped("detail"))
        self.assertIn("Trigger: Meeting held", details)
        self.assertNotIn("on_meeting_held", details)
        self.assertIn(
            "would_run", wizard.line_ids.filtered("action_id").mapped("outcome")
        )
