# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Automation rules of a stage ("robots"): a salesperson moves an opportunity
and what the stage's robots do is read back from the database, the job table
and the run log."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import ALLOWED_HOSTS, StageCase, WorkflowCase


@tagged("post_install", "-at_install")
class TestRobotsOnStageEntry(StageCase):
    def test_robot_runs_when_opportunity_is_created_in_its_stage(self):
        robot = self.robot(self.s1)
        lead = self.new_lead()
        self.assertEqual(self.read_back(lead).priority, "2")
        run = self.robot_runs(robot, lead)
        self.assertEqual(len(run), 1)
        self.assertEqual(run.trigger, "stage_entry")
        self.assertEqual(run.action_id, robot.action_id)
        self.assertFalse(run.rule_id)

    def test_robot_runs_on_stage_change_and_again_on_reentry(self):
        robot = self.robot(self.s2)
        lead = self.new_lead()
        self.assertFalse(self.robot_runs(robot))
        self.move(lead, self.s2)
        self.assertEqual(self.read_back(lead).priority, "2")
        lead.sudo().priority = "0"
        self.move(lead, self.s1)
        self.move(lead, self.s2)
        self.assertEqual(self.read_back(lead).priority, "2")
        self.assertEqual(len(self.robot_runs(robot, lead)), 2)

    def test_rule_moving_the_opportunity_runs_the_stage_robots(self):
        robot = self.robot(self.s3)
        self.make_rule(
            "Big ones to invoice",
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            domain="[('expected_revenue', '>=', 10000)]",
            actions=[{"action_type": "set_stage", "target_stage_id": self.s3.id}],
        )
        lead = self.new_lead()
        lead.with_user(self.salesman).write({"expected_revenue": 20000})
        self.assertEqual(self.read_back(lead).stage_id, self.s3)
        self.assertEqual(len(self.robot_runs(robot, lead)), 1)

    def test_import_into_a_stage_or_of_a_new_stage_runs_its_robots(self):
        robot = self.robot(self.s2)
        moved = self.new_lead(name="Moved by import")
        result = self.Lead.with_user(self.salesman).load(
            [".id", "name", "type", "team_id/.id", "stage_id/.id"],
            [
                [
                    "",
                    "Imported",
                    "opportunity",
                    str(self.team.id),
                    str(self.s2.id),
                ],
                [
                    str(moved.id),
                    "Moved by import",
                    "opportunity",
                    str(self.team.id),
                    str(self.s2.id),
                ],
            ],
        )
        self.assertFalse(result["messages"], result["messages"])
        imported = self.Lead.browse(result["ids"])
        self.assertEqual(len(imported), 2)
        self.assertIn(moved, imported)
        self.assertEqual(len(self.robot_runs(robot, imported)), 2)

    def test_edit_without_stage_change_runs_no_robot(self):
        robot = self.robot(self.s1)
        lead = self.new_lead()
        lead.with_user(self.salesman).write({"name": "Renamed", "stage_id": self.s1.id})
        self.assertEqual(len(self.robot_runs(robot, lead)), 1)

    def test_robot_of_another_pipeline_does_not_run(self):
        other = self.env["crm.team"].create({"name": "Other pipeline (tests)"})
        shared = self.env["crm.stage"].create({"name": "Shared", "sequence": 105})
        robot = self.robot(shared, team_id=other.id)
        lead = self.new_lead()
        self.move(lead, shared)
        self.assertFalse(self.robot_runs(robot))
        # positive control: an opportunity of its own pipeline starts it
        own = self.new_lead(team_id=other.id)
        self.move(own, shared)
        self.assertEqual(len(self.robot_runs(robot, own)), 1)

    def test_robot_condition_limits_the_opportunities(self):
        robot = self.robot(self.s2, domain="[('expected_revenue', '>=', 1000)]")
        small, big = self.new_lead("Small"), self.new_lead("Big", expected_revenue=5000)
        self.move(small | big, self.s2)
        self.assertEqual(self.robot_runs(robot).mapped("res_id"), big.ids)

    def test_failing_robot_keeps_the_move_and_is_logged(self):
        robot = self.robot(
            self.s2,
            user=self.developer,
            **self.function_action("raise UserError('warehouse offline')"),
        )
        lead = self.new_lead()
        self.move(lead, self.s2)
        self.assertEqual(self.read_back(lead).stage_id, self.s2)
        failed = self.robot_runs(robot, lead, state="failed")
        self.assertIn("warehouse offline", failed.error)

    def test_moving_many_opportunities_runs_each_robot_once_per_batch(self):
        robot = self.robot(self.s2)
        leads = self.Lead.with_user(self.salesman).create(
            [
                {"name": f"Batch {i}", "team_id": self.team.id, "stage_id": self.s1.id}
                for i in range(30)
            ]
        )
        self.move(leads, self.s2)
        self.assertEqual(len(self.robot_runs(robot, leads)), 30)
        self.assertEqual(set(self.read_back(leads).mapped("priority")), {"2"})

    def test_robot_form_shows_the_fields_of_every_action_type(self):
        arch = self.Robot.with_user(self.sales_manager).get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        for fname in ("mail_template_id", "activity_type_id", "webhook_url"):
            self.assertIn(f'name="{fname}"', arch)
        self.assertIn('name="execution_mode"', arch)


@tagged("post_install", "-at_install")
class TestRobotTiming(StageCase):
    def test_parallel_robots_start_at_entry_and_sequential_after_the_previous(self):
        first = self.robot(
            self.s2,
            sequence=1,
            timing="scheduled",
            delay_amount=30,
            delay_unit="minutes",
        )
        second = self.robot(
            self.s2,
            sequence=2,
            execution_mode="after_previous",
            timing="scheduled",
            delay_amount=1,
            delay_unit="hours",
            update_field_id=self.field("description").id,
            update_value="second",
        )
        parallel = self.robot(
            self.s2,
            sequence=3,
            timing="scheduled",
            delay_amount=2,
            delay_unit="hours",
            update_field_id=self.field("referred").id,
            update_value="parallel",
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            entered = fields.Datetime.now()
            self.move(lead, self.s2)
            first_job = trap.assert_enqueued(count=2, state="pending").filtered(
                lambda j: j.robot_id == first
            )
            self.assertEqual(first_job.job_type, "robot")
            self.assertAlmostEqual(
                first_job.eta,
                entered + timedelta(minutes=30),
                delta=timedelta(minutes=1),
            )
            parallel_job = trap.jobs.filtered(lambda j: j.robot_id == parallel)
            self.assertAlmostEqual(
                parallel_job.eta,
                entered + timedelta(hours=2),
                delta=timedelta(minutes=1),
            )
            self.assertFalse(trap.jobs.filtered(lambda j: j.robot_id == second))
            trap.run(at=entered + timedelta(minutes=31))
            self.assertEqual(self.read_back(lead).priority, "2")
            second_job = trap.jobs.filtered(lambda j: j.robot_id == second)
            self.assertEqual(second_job.state, "pending")
            self.assertAlmostEqual(
                second_job.eta,
                fields.Datetime.now() + timedelta(hours=1),
                delta=timedelta(minutes=1),
            )
            trap.run_all(days=1)
        lead = self.read_back(lead)
        self.assertIn("second", lead.description)
        self.assertEqual(lead.referred, "parallel")
        self.assertEqual(len(self.robot_runs(second, lead)), 1)

    def test_immediate_robots_in_sequence_run_in_order_in_the_move(self):
        self.robot(self.s2, sequence=1, update_value="1")
        self.robot(
            self.s2, sequence=2, execution_mode="after_previous", update_value="3"
        )
        lead = self.new_lead()
        self.move(lead, self.s2)
        self.assertEqual(self.read_back(lead).priority, "3")

    def test_robot_relative_to_a_date_field(self):
        robot = self.robot(
            self.s2,
            timing="scheduled",
            delay_anchor="date_field",
            delay_date_field_id=self.field("date_deadline").id,
            delay_amount=-1,
            delay_unit="days",
        )
        deadline = fields.Date.today() + timedelta(days=10)
        lead = self.new_lead(date_deadline=deadline)
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            job = trap.assert_enqueued(count=1)
            self.assertEqual(job.robot_id, robot)
            self.assertEqual(
                fields.Date.to_date(job.eta.date()), deadline - timedelta(days=1)
            )
        self.assertEqual(
            robot.summary.split(" · ")[1], "1 days before Expected Closing"
        )


@tagged("post_install", "-at_install")
class TestLeavingAStage(StageCase):
    def test_leaving_the_stage_cancels_its_pending_robots_with_the_reason(self):
        robot = self.robot(self.s2, timing="scheduled", delay_amount=1)
        kept = self.robot(
            self.s2,
            timing="scheduled",
            delay_amount=1,
            keep_on_leave=True,
            update_field_id=self.field("referred").id,
            update_value="kept",
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            self.move(lead, self.s3)
            cancelled = trap.jobs.filtered(lambda j: j.robot_id == robot)
            self.assertEqual(cancelled.state, "cancelled")
            self.assertIn("P Invoice", cancelled.cancel_reason)
            self.assertEqual(
                trap.jobs.filtered(lambda j: j.robot_id == kept).state, "pending"
            )
            trap.run_all(days=2)
        lead = self.read_back(lead)
        self.assertEqual(lead.referred, "kept")
        self.assertNotEqual(lead.priority, "2")

    def test_reentering_runs_the_delayed_robot_again_for_the_new_entry(self):
        robot = self.robot(self.s2, timing="scheduled", delay_amount=1)
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            self.move(lead, self.s1)
            self.move(lead, self.s2)
            jobs = trap.jobs.filtered(lambda j: j.robot_id == robot)
            self.assertEqual(jobs.mapped("state"), ["cancelled", "pending"])


@tagged("post_install", "-at_install")
class TestSkippedStages(StageCase):
    def setUp(self):
        super().setUp()
        self.r2 = self.robot(
            self.s2, update_field_id=self.field("referred").id, update_value="documents"
        )
        self.r3 = self.robot(self.s3, update_value="1")
        self.r4 = self.robot(self.s4, update_value="3")

    def test_jump_runs_only_the_target_stage_robots_by_default(self):
        lead = self.new_lead()
        self.move(lead, self.s4)
        self.assertFalse(self.robot_runs(self.r2) | self.robot_runs(self.r3))
        self.assertEqual(len(self.robot_runs(self.r4, lead)), 1)

    def test_pipeline_setting_runs_the_skipped_stages_in_stage_order(self):
        self.team.workflow_run_skipped_stages = True
        lead = self.new_lead()
        self.move(lead, self.s4)
        lead = self.read_back(lead)
        self.assertEqual(lead.referred, "documents")
        self.assertEqual(lead.priority, "3", "the fourth stage's robot ran last")
        runs = (
            self.robot_runs(self.r2)
            | self.robot_runs(self.r3)
            | self.robot_runs(self.r4)
        )
        self.assertEqual(runs.sorted("id").robot_id, self.r2 | self.r3 | self.r4)

    def test_backward_jump_runs_only_the_target_stage(self):
        self.team.workflow_run_skipped_stages = True
        r1 = self.robot(self.s1, update_value="0")
        lead = self.new_lead(stage=self.s4)
        self.move(lead, self.s1)
        self.assertFalse(self.robot_runs(self.r2) | self.robot_runs(self.r3))
        self.assertEqual(len(self.robot_runs(r1, lead)), 1)


@tagged("post_install", "-at_install")
class TestDataBetweenRobots(StageCase):
    def test_later_robot_uses_what_an_earlier_one_produced(self):
        self.robot(
            self.s2,
            user=self.developer,
            sequence=1,
            **self.function_action("data['quote'] = 'Q-' + str(len(records))"),
        )
        self.robot(
            self.s2,
            user=self.developer,
            sequence=2,
            execution_mode="after_previous",
            timing="scheduled",
            delay_amount=5,
            delay_unit="minutes",
            **self.function_action(
                "for rec in records:\n    rec.write({'referred': data['quote']})"
            ),
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            job = trap.assert_enqueued(count=1)
            self.assertEqual(job.robot_context["data"], {"quote": "Q-1"})
            trap.run_all(days=1)
        self.assertEqual(self.read_back(lead).referred, "Q-1")
        self.assertNotIn("quote", self.Lead._fields)
        # both function calls, the immediate one and the scheduled one, are logged
        calls = (
            self.env["crm.workflow.run"]
            .sudo()
            .search([("res_id", "=", lead.id), ("caller", "=", "robot")])
        )
        self.assertEqual(len(calls), 2)
        self.assertEqual(set(calls.mapped("state")), {"done"})

    def test_function_result_is_in_the_next_robots_email_subject(self):
        template = self.template.copy(
            {"subject": "Offer {{ data.get('offer_no') }} for {{ object.name }}"}
        )
        self.robot(
            self.s2,
            user=self.developer,
            sequence=1,
            **self.function_action("result = {'offer_no': 'OF-%s' % records.id}"),
        )
        self.robot(
            self.s2,
            sequence=2,
            execution_mode="after_previous",
            action_type="email",
            mail_template_id=template.id,
            email_recipients="customer",
        )
        lead = self.new_lead(email_from="buyer@example.com")
        self.move(lead, self.s2)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        )
        self.assertEqual(mail.subject, f"Offer OF-{lead.id} for Order")

    def test_robot_data_in_expressions_and_conditions_of_later_robots(self):
        self.robot(
            self.s2,
            user=self.developer,
            sequence=1,
            **self.function_action("result = {'channel': 'web', 'ids': records.ids}"),
        )
        self.robot(
            self.s2,
            user=self.developer,
            sequence=2,
            execution_mode="after_previous",
            timing="scheduled",
            delay_amount=5,
            delay_unit="minutes",
            update_field_id=self.field("referred").id,
            update_mode="expression",
            update_expression="'from ' + data['channel']",
        )
        chosen = self.robot(
            self.s2, sequence=3, domain="[('id', 'in', data.get('ids', []))]"
        )
        other = self.robot(
            self.s2, sequence=4, domain="[('id', 'in', data.get('others', []))]"
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            trap.run_all(days=1)
        self.assertEqual(self.read_back(lead).referred, "from web")
        self.assertEqual(len(self.robot_runs(chosen, lead)), 1)
        self.assertFalse(self.robot_runs(other, lead))


@tagged("post_install", "-at_install")
class TestRequestInformation(StageCase):
    def setUp(self):
        super().setUp()
        self.request = self.robot(
            self.s2,
            sequence=1,
            name="Ask the delivery date",
            action_type="request_info",
            activity_type_id=self.todo.id,
            activity_user_type="user",
            activity_user_id=self.salesman.id,
            request_field_ids=[
                Command.create({"name": "delivery_date", "label": "Delivery date"}),
                Command.create({"name": "floor", "label": "Floor"}),
            ],
        )
        self.after = self.robot(
            self.s2,
            user=self.developer,
            sequence=2,
            execution_mode="after_previous",
            update_field_id=self.field("referred").id,
            update_mode="expression",
            update_expression="data['delivery_date'] + ' / ' + data['feedback']",
        )

    def activity(self, lead):
        return self.env["mail.activity"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )

    def test_next_robot_waits_until_the_task_is_done_and_reads_its_answers(self):
        lead = self.new_lead()
        self.move(lead, self.s2)
        activity = self.activity(lead)
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(activity.summary, self.env._("Information requested"))
        self.assertIn("Delivery date", str(activity.note))
        self.assertEqual(
            activity.workflow_value_ids.mapped("name"), ["delivery_date", "floor"]
        )
        self.assertFalse(self.robot_runs(self.after, lead))
        self.assertFalse(self.read_back(lead).referred)
        activity = activity.with_user(self.salesman)
        activity.workflow_value_ids[0].value = "2026-12-24"
        activity.action_feedback(feedback="ring twice")
        lead = self.read_back(lead)
        self.assertEqual(lead.referred, "2026-12-24 / ring twice")
        answered = self.robot_runs(self.request, lead).filtered(
            lambda r: r.trigger == "activity_done"
        )
        self.assertEqual(len(answered), 1)
        self.assertIn("2026-12-24", answered.result)
        self.assertEqual(len(self.robot_runs(self.after, lead)), 1)

    def test_answers_typed_in_the_feedback_and_a_delayed_robot_after_it(self):
        self.after.write(
            {"timing": "scheduled", "delay_amount": 1, "delay_unit": "hours"}
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            trap.assert_enqueued(count=0)
            self.activity(lead).with_user(self.salesman).action_feedback(
                feedback="Delivery date: Monday\nfloor: 3"
            )
            job = trap.assert_enqueued(count=1)
            self.assertEqual(job.robot_context["data"]["delivery_date"], "Monday")
            self.assertEqual(job.robot_context["data"]["floor"], "3")
            trap.run_all(days=1)
        self.assertTrue(self.read_back(lead).referred.startswith("Monday / "))

    def test_answer_after_leaving_the_stage_starts_nothing(self):
        lead = self.new_lead()
        self.move(lead, self.s2)
        self.move(lead, self.s3)
        self.activity(lead).with_user(self.salesman).action_feedback(
            feedback="delivery_date: Monday"
        )
        self.assertFalse(self.robot_runs(self.after, lead))
        # positive control: answered while it stays in the stage, it starts
        stays = self.new_lead(name="Stays")
        self.move(stays, self.s2)
        self.activity(stays).with_user(self.salesman).action_feedback(
            feedback="delivery_date: Monday"
        )
        self.assertEqual(len(self.robot_runs(self.after, stays)), 1)

    def test_delayed_request_creates_its_task_from_the_queue(self):
        self.request.write(
            {"timing": "scheduled", "delay_amount": 10, "delay_unit": "minutes"}
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            trap.assert_enqueued(count=1)
            trap.run_all(days=1)
            self.assertEqual(len(self.activity(lead)), 1)
            self.assertFalse(self.robot_runs(self.after, lead))
            self.activity(lead).with_user(self.salesman).action_feedback(
                feedback="delivery_date: Friday"
            )
        self.assertEqual(
            self.read_back(lead).referred, "Friday / delivery_date: Friday"
        )

    def test_answers_are_seen_by_the_assignee_and_managers_only(self):
        lead = self.new_lead()
        self.move(lead, self.s2)
        values = self.activity(lead).workflow_value_ids
        self.assertEqual(len(values.with_user(self.salesman).search_read([])), 2)
        self.assertFalse(
            self.env["crm.workflow.activity.value"]
            .with_user(self.salesman2)
            .search([("id", "in", values.ids)])
        )
        with self.assertRaises(AccessError):
            values.with_user(self.salesman2).write({"value": "forged"})
        self.assertEqual(
            len(
                values.with_user(self.sales_manager).search([("id", "in", values.ids)])
            ),
            2,
        )

    def test_a_key_that_is_not_a_name_is_refused(self):
        with self.assertRaises(ValidationError):
            self.request.request_field_ids = [
                Command.create({"name": "delivery date", "label": "Date"})
            ]
        with self.assertRaises(ValidationError):
            self.request.request_field_ids = [Command.create({"name": "floor"})]


@tagged("post_install", "-at_install")
class TestRobotOfEveryActionType(StageCase):
    def test_each_action_type_runs_as_a_robot_through_the_same_dispatch(self):
        tag = self.env["crm.tag"].create({"name": "Robot tag"})
        configs = {
            "email": {
                "mail_template_id": self.template.id,
                "email_recipients": "owner",
            },
            "activity": {"activity_type_id": self.todo.id, "activity_summary": "Go"},
            "field_update": {},
            "add_tags": {"tag_ids": [Command.set(tag.ids)]},
            "remove_tags": {"tag_ids": [Command.set(tag.ids)]},
            "notify": {
                "user_ids": [Command.set(self.sales_manager.ids)],
                "notify_message": "<p>New order</p>",
            },
            "add_followers": {
                "partner_ids": [Command.set(self.salesman2.partner_id.ids)]
            },
            "function": {
                "function_id": self.function_action("log('robot function')")[
                    "function_id"
                ]
            },
            "assign_owner": {
                "assign_mode": "user",
                "assign_user_id": self.salesman.id,
            },
            "request_info": {
                "activity_type_id": self.todo.id,
                "request_field_ids": [Command.create({"name": "floor"})],
            },
            "set_stage": {"target_stage_id": self.s3.id},
        }
        types = dict(self.Robot._fields["action_type"]._description_selection(self.env))
        robots = self.Robot
        for sequence, (action_type, extra) in enumerate(configs.items()):
            self.assertIn(action_type, types)
            robots |= self.robot(
                self.s2,
                user=self.developer,
                sequence=sequence,
                action_type=action_type,
                **extra,
            )
        lead = self.new_lead(user_id=False)
        self.move(lead, self.s2)
        Run = self.env["crm.workflow.run"].sudo()
        done = Run.search([("robot_id", "in", robots.ids), ("state", "=", "done")])
        self.assertEqual(
            done.robot_id,
            robots,
            Run.search([("robot_id", "in", robots.ids)]).mapped("error"),
        )
        lead = self.read_back(lead)
        self.assertEqual(lead.stage_id, self.s3)
        self.assertEqual(lead.user_id, self.salesman)
        self.assertIn("Go", lead.activity_ids.mapped("summary"))
        self.assertIn("floor", lead.activity_ids.workflow_value_ids.mapped("name"))

    def test_webhook_robot_is_a_job(self):
        self.env["ir.config_parameter"].sudo().set_param(ALLOWED_HOSTS, "127.0.0.1")
        robot = self.robot(
            self.s2, action_type="webhook", webhook_url="http://127.0.0.1:9/hook"
        )
        lead = self.new_lead()
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            job = trap.assert_enqueued(count=1)
            self.assertEqual(job.robot_id, robot)
            self.assertEqual(job.payload["id"], lead.id)

    def test_changing_the_type_of_a_robot_saves_the_type_and_its_fields_at_once(self):
        robot = self.robot(self.s2)
        robot.with_user(self.sales_manager).write(
            {"action_type": "activity", "activity_type_id": self.todo.id}
        )
        self.assertEqual(robot.action_type, "activity")
        self.assertEqual(robot.action_id.activity_type_id, self.todo)

    def test_bad_robot_configuration_is_refused_at_save(self):
        with self.assertRaises(ValidationError):
            self.robot(self.s2, action_type="email")


@tagged("post_install", "-at_install")
class TestBoard(StageCase):
    def test_board_lists_stages_in_order_with_triggers_and_robots_in_order(self):
        self.robot(
            self.s2,
            sequence=2,
            name="Send offer",
            action_type="email",
            mail_template_id=self.template.id,
            email_recipients="customer",
            execution_mode="after_previous",
        )
        self.robot(
            self.s2,
            sequence=1,
            name="Make offer",
            timing="scheduled",
            delay_amount=30,
            delay_unit="minutes",
        )
        self.robot(
            self.s3,
            name="Remind",
            timing="scheduled",
            delay_anchor="date_field",
            delay_amount=-1,
            delay_unit="days",
            delay_date_field_id=self.field("date_deadline").id,
        )
        self.trigger(self.s3, "webhook", name="Payment received")
        board = self.Robot.with_user(self.sales_manager).get_board(self.team.id)
        names = [c["name"] for c in board["columns"]]
        self.assertEqual(
            names[-4:], ["P New", "P Documents", "P Invoice", "P Delivery"]
        )
        documents = board["columns"][names.index("P Documents")]
        self.assertEqual(
            [r["summary"] for r in documents["robots"]],
            ["Make offer · after 30 minutes", "Send offer · after the previous one"],
        )
        invoice = board["columns"][names.index("P Invoice")]
        self.assertEqual(invoice["triggers"][0]["name"], "Payment received")
        self.assertEqual(
            invoice["robots"][0]["summary"], "Remind · 1 days before Expected Closing"
        )

    def test_drag_and_drop_moves_and_reorders_robots(self):
        a = self.robot(self.s2, sequence=1, name="A")
        b = self.robot(self.s2, sequence=2, name="B")
        c = self.robot(self.s3, sequence=1, name="C")
        self.Robot.with_user(self.sales_manager).board_move(
            c.id, self.s2.id, [c.id, b.id, a.id]
        )
        self.assertEqual(c.stage_id, self.s2)
        self.assertEqual(
            self.Robot.search([("stage_id", "=", self.s2.id)]).mapped("name"),
            ["C", "B", "A"],
        )

    def test_drag_and_drop_moves_and_reorders_triggers(self):
        a = self.trigger(self.s2, "won", name="A")
        b = self.trigger(self.s2, "lost", name="B")
        c = self.trigger(self.s3, "email_received", name="C")
        self.Trigger.with_user(self.sales_manager).board_move(
            c.id, self.s2.id, [b.id, c.id, a.id]
        )
        self.assertEqual(c.stage_id, self.s2)
        self.assertEqual(
            self.Trigger.search([("stage_id", "=", self.s2.id)]).mapped("name"),
            ["B", "C", "A"],
        )
        board = self.Robot.get_board(self.team.id)
        column = next(c for c in board["columns"] if c["stage_id"] == self.s2.id)
        self.assertEqual([t["name"] for t in column["triggers"]], ["B", "C", "A"])

    def test_pipeline_button_opens_the_board_of_its_team(self):
        action = (
            self.Lead.with_user(self.sales_manager)
            .with_context(default_team_id=self.team.id)
            .action_open_automation_board()
        )
        self.assertEqual(action["tag"], "crm_workflow_automation.board")
        self.assertEqual(action["params"]["team_id"], self.team.id)


@tagged("post_install", "-at_install")
class TestFurnitureDemo(WorkflowCase):
    """The demo's furniture store (when installed with demo data)."""

    def ref(self, name):
        record = self.env.ref(f"crm_workflow_automation.{name}", False)
        if not record:
            self.skipTest("installed without demo data")
        return record

    def runs_of(self, robot_or_trigger, order):
        field = "robot_id" if robot_or_trigger._name.endswith("robot") else "trigger_id"
        return self.env["crm.workflow.run"].search(
            [(field, "=", robot_or_trigger.id), ("res_id", "=", order.id)]
        )

    def test_pipeline_robots_trigger_and_two_orders_with_their_runs(self):
        team = self.ref("crm_team_furniture_demo")
        board = self.env["crm.workflow.robot"].get_board(team.id)
        names = [c["name"] for c in board["columns"]]
        stages = ["New request", "Prepare documents", "Invoice", "Delivery"]
        self.assertEqual([n for n in names if n in stages], stages)
        call = self.ref("crm_workflow_robot_furniture_call_demo")
        sms = "sms" in self.env["crm.workflow.robot"]._fields["action_type"].get_values(
            self.env
        )
        self.assertEqual(call.action_type, "sms" if sms else "email")
        offer = self.ref("crm_workflow_robot_furniture_offer_demo")
        send = self.ref("crm_workflow_robot_furniture_send_offer_demo")
        self.assertEqual(send.execution_mode, "after_previous")
        paid = self.ref("crm_workflow_trigger_furniture_paid_demo")
        self.assertEqual(paid.trigger_type, "webhook")
        warehouse = self.ref("crm_workflow_robot_furniture_warehouse_demo")
        sofa = self.ref("crm_lead_furniture_sofa_demo")
        table = self.ref("crm_lead_furniture_table_demo")
        self.assertEqual(sofa.stage_id, call.stage_id)
        self.assertEqual(table.stage_id, paid.stage_id)
        for robot, order in (
            (call, sofa),
            (call, table),
            (offer, table),
            (send, table),
            (paid, table),
            (warehouse, table),
        ):
            self.assertEqual(
                self.runs_of(robot, order).mapped("state"), ["done"], robot.name
            )
        self.assertTrue(
            self.env["ir.attachment"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", table.id)]
            ),
            "the offer document is attached to the order",
        )
