# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The run log as a user reads it: what ran, for which record (by its name at
the time), on which event, and what each action did; its retention and the
daily status report built from it."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import StageCase


class RunLogCase(StageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.LeadAsSalesman = cls.Lead.with_user(cls.salesman)
        cls.Daily = cls.env["crm.workflow.run.daily"]

    def scheduled_priority(self, **extra):
        return dict(
            self.set_priority("2"),
            timing="scheduled",
            delay_amount=1,
            delay_unit="days",
            **extra,
        )


@tagged("post_install", "-at_install")
class TestRunLog(RunLogCase):
    def test_created_lead_run_names_the_record_the_event_and_the_action(self):
        rule = self.make_rule(
            name="Colour new leads",
            trigger="on_create",
            actions=[self.field_update("color", "3")],
        )
        lead = self.LeadAsSalesman.create({"name": "Acme deal"})
        run = self.runs(rule, lead)
        self.assertEqual(len(run), 1)
        lead.name = "Renamed deal"
        self.assertEqual(run.record_name, "Acme deal")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.event_description, "Created")
        action = rule.action_ids
        self.assertEqual(run.outcome, [{"action": action.id, "state": "done"}])
        self.assertEqual(run.outcome_description, f"{action.display_name}: done")

    def test_record_names_are_the_display_names(self):
        """Read straight from the cache when the display name is the stored
        name (leads), computed otherwise (a contact of a company)."""
        Engine = self.env["crm.workflow.engine"]
        leads = self.Lead.create([{"name": "Named deal"}, {"name": "Other deal"}])
        names = Engine._record_names("crm.lead", leads.ids)
        self.assertEqual(names, {leads[0].id: "Named deal", leads[1].id: "Other deal"})
        leads.invalidate_recordset()
        self.assertEqual(Engine._record_names("crm.lead", leads.ids), names)
        company = self.env["res.partner"].create({"name": "Acme", "is_company": True})
        person = self.env["res.partner"].create({"name": "Jo", "parent_id": company.id})
        self.assertEqual(
            Engine._record_names("res.partner", person.ids), {person.id: "Acme, Jo"}
        )

    def test_edited_lead_run_lists_the_fields_that_changed(self):
        rule = self.make_rule(
            trigger="on_write",
            trigger_field_ids=["priority", "expected_revenue"],
            actions=[self.field_update("color", "4")],
        )
        lead = self.LeadAsSalesman.create({"name": "Edited deal"})
        lead.write({"priority": "1", "expected_revenue": 500, "description": "x"})
        run = self.runs(rule, lead)
        self.assertEqual(len(run), 1)
        self.assertEqual(run.changed_fields, "expected_revenue,priority")
        self.assertEqual(run.event_description, "Edited: Expected Revenue, Priority")

    def test_scheduled_action_says_when_and_names_its_job(self):
        rule = self.make_rule(
            trigger="on_create",
            actions=[self.field_update("color", "5"), self.scheduled_priority()],
        )
        instant, scheduled = rule.action_ids.sorted("sequence")
        with self.trap_jobs() as trap:
            lead = self.LeadAsSalesman.create({"name": "Later deal"})
            job = trap.assert_enqueued(1, action=scheduled)
        run = self.runs(rule, lead)
        self.assertFalse(run.job_id)  # the job's own run will have it
        due = fields.Datetime.to_string(job.eta)
        self.assertEqual(
            run.outcome,
            [
                {"action": instant.id, "state": "done"},
                {
                    "action": scheduled.id,
                    "state": "scheduled",
                    "due": due,
                    "job": job.id,
                },
            ],
        )
        self.assertIn(f"(job #{job.id})", run.outcome_description)
        self.assertIn("scheduled for", run.outcome_description)

    def test_failed_action_fails_the_run_with_its_error(self):
        rule = self.make_rule(
            trigger="on_create",
            actions=[self.function_action("raise UserError('no stock left')")],
        )
        lead = self.LeadAsSalesman.create({"name": "Failing deal"})
        run = self.runs(rule, lead).filtered(lambda r: not r.function_id)
        self.assertEqual(run.state, "failed")
        self.assertIn("no stock left", run.error)
        self.assertIn("Failed: ", run.outcome_description)

    def test_scheduled_action_that_gives_up_makes_the_run_partial(self):
        rule = self.make_rule(
            trigger="on_create",
            actions=[
                self.field_update("color", "6"),
                self.function_action(
                    "raise UserError('the ERP is gone')",
                    timing="scheduled",
                    delay_amount=1,
                    delay_unit="days",
                ),
            ],
        )
        with self.trap_jobs() as trap:
            lead = self.LeadAsSalesman.create({"name": "Half deal"})
            trap.run_all()
            job = trap.assert_enqueued(1)
        self.assertEqual(job.state, "dead")
        run = self.runs(rule, lead).filtered(
            lambda r: not r.action_id and not r.function_id
        )
        self.assertEqual(run.state, "partial")
        failed = self.runs(rule, lead, state="failed").filtered("job_id")
        self.assertEqual(failed.job_id, job)
        self.assertIn("the ERP is gone", failed.error)

    def test_scheduled_action_no_longer_wanted_is_skipped_with_the_reason(self):
        rule = self.make_rule(
            trigger="on_create",
            domain="[('name', 'not like', 'Closed')]",
            actions=[self.scheduled_priority()],
        )
        with self.trap_jobs() as trap:
            lead = self.LeadAsSalesman.create({"name": "Open deal"})
            lead.name = "Closed deal"
            trap.run_all()
            job = trap.assert_enqueued(1)
        self.assertEqual(job.state, "cancelled")
        skipped = self.runs(rule, lead, state="skipped")
        self.assertEqual(len(skipped), 1)
        self.assertEqual(skipped.job_id, job)
        self.assertEqual(skipped.action_id, rule.action_ids)
        self.assertIn("no longer meets the criteria", skipped.error)
        self.assertIn("Skipped: ", skipped.outcome_description)
        self.assertEqual(lead.priority, "0")

    def test_robot_run_names_the_robot_and_the_stage_entered(self):
        robot = self.robot(self.s2)
        lead = self.new_lead("Robot deal", stage=self.s1)
        lead.with_user(self.salesman).stage_id = self.s2
        run = self.env["crm.workflow.run"].search(
            [("robot_id", "=", robot.id), ("res_id", "=", lead.id)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.event_description, "Stage entered")
        self.assertEqual(run.record_name, "Robot deal")
        self.assertEqual(run.action_id, robot.action_id)
        self.assertEqual(lead.priority, "2")

    def test_function_called_by_a_button_is_logged_as_such(self):
        function = self.env["crm.workflow.function"].create(
            {
                "name": "Answer (tests)",
                "api_name": "tests_run_log_answer",
                "code": "result = {'answer': 42}",
            }
        )
        lead = self.new_lead("Button deal")
        function.with_user(self.sales_manager)._call(lead, {}, caller="button")
        run = self.env["crm.workflow.run"].search([("function_id", "=", function.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.event_description, "Button")
        self.assertEqual(run.record_name, "Button deal")
        self.assertIn("42", run.result)


@tagged("post_install", "-at_install")
class TestRetention(RunLogCase):
    def age_runs(self, days):
        Run = self.env["crm.workflow.run"]
        Run.flush_model()
        self.env.cr.execute(
            "UPDATE crm_workflow_run SET create_date = create_date - %s",
            [timedelta(days=days)],
        )
        Run.invalidate_model()

    def test_purge_keeps_recent_runs_and_the_report_of_purged_days(self):
        rule = self.make_rule(trigger="on_create", actions=[self.set_priority("1")])
        old = self.LeadAsSalesman.create([{"name": "Old 1"}, {"name": "Old 2"}])
        # the old runs (and their day in the report) 100 days back
        self.age_runs(100)
        self.env.cr.execute(
            "UPDATE crm_workflow_run_daily SET day = day - 100 WHERE rule_id = %s",
            [rule.id],
        )
        recent = self.LeadAsSalesman.create({"name": "Recent"})
        self.env["ir.config_parameter"].set_param(
            "crm_workflow_automation.run_retention_days", 90
        )
        purged = self.env["crm.workflow.run"]._cron_purge(batch_size=1, automatic=False)
        self.assertGreaterEqual(purged, 2)
        self.assertFalse(self.runs(rule, old))
        self.assertEqual(len(self.runs(rule, recent)), 1)
        old_day = fields.Date.today() - timedelta(days=100)
        report = self.Daily.search(
            [
                ("rule_id", "=", rule.id),
                ("day", "=", old_day),
                ("action_type", "=", False),
            ]
        )
        self.assertEqual(report.run_count, 2)

    def test_first_match_rule_does_not_fire_again_after_the_purge(self):
        rule = self.make_rule(
            trigger="on_create_or_write",
            repeat_mode="first_match",
            domain="[('expected_revenue', '>', 1000)]",
            actions=[self.field_update("color", "1")],
        )
        lead = self.LeadAsSalesman.create({"name": "Once", "expected_revenue": 2000})
        self.assertEqual(len(self.runs(rule, lead)), 1)
        self.age_runs(200)
        self.env["crm.workflow.run"]._cron_purge(automatic=False)
        self.assertFalse(self.runs(rule, lead))
        lead.expected_revenue = 10
        lead.expected_revenue = 5000
        self.assertFalse(self.runs(rule, lead))
        other = self.LeadAsSalesman.create({"name": "New", "expected_revenue": 3000})
        self.assertEqual(len(self.runs(rule, other)), 1)

    def test_rule_becoming_first_match_remembers_its_past_runs(self):
        rule = self.make_rule(
            trigger="on_create_or_write", actions=[self.field_update("color", "2")]
        )
        lead = self.LeadAsSalesman.create({"name": "Seen"})
        rule.repeat_mode = "first_match"
        lead.name = "Seen again"
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_negative_retention_is_refused(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"crm_workflow_run_retention_days": -1}
            )


@tagged("post_install", "-at_install")
class TestStatusReport(RunLogCase):
    def report(self, **domain):
        """The day's rows, merged into one per key as the daily cron does."""
        self.Daily._compact(domain.get("day") or fields.Date.today())
        rows = self.Daily.search([(k, "=", v) for k, v in domain.items()])
        return rows

    def test_report_counts_runs_records_actions_and_failures(self):
        rule = self.make_rule(
            trigger="on_create_or_write",
            domain="[('name', 'not like', 'Broken')]",
            actions=[self.field_update("color", "2"), self.set_priority("1")],
        )
        leads = self.LeadAsSalesman.create([{"name": f"Deal {i}"} for i in range(3)])
        leads[0].description = "edited"  # the same record runs again
        failing = self.make_rule(
            trigger="on_create",
            actions=[self.function_action("raise UserError('nope')")],
        )
        self.LeadAsSalesman.create([{"name": "Broken 1"}, {"name": "Broken 2"}])
        today = fields.Date.today()
        runs = self.report(rule_id=rule.id, day=today, action_type=False)
        self.assertEqual(runs.run_count, 4)
        self.assertEqual(runs.failed_count, 0)
        # batches add their records; the daily recount counts each once
        self.assertEqual(runs.record_count, 4)
        self.Daily._recount_records(today)
        runs = self.report(rule_id=rule.id, day=today, action_type=False)
        self.assertEqual(runs.record_count, 3)
        actions = self.report(rule_id=rule.id, day=today).filtered("action_type")
        self.assertEqual(actions.mapped("action_type"), ["field_update"])
        self.assertEqual(actions.action_count, 8)
        failures = self.report(rule_id=failing.id, day=today, action_type=False)
        self.assertEqual((failures.run_count, failures.failed_count), (2, 2))
        # the pivot's read_group: the average duration is weighted by the runs
        groups = self.Daily._read_group(
            [("rule_id", "in", (rule | failing).ids)],
            ["rule_id"],
            ["run_count:sum", "failed_count:sum", "duration_avg:avg"],
        )
        counts = {r: (runs_, failed) for r, runs_, failed, __ in groups}
        self.assertEqual(counts[rule], (4, 0))
        self.assertEqual(counts[failing], (2, 2))

    def test_each_batch_adds_its_own_row_and_the_cron_merges_them(self):
        """No shared row per rule and day: concurrent batches of one rule (two
        webhook calls) never conflict on it under REPEATABLE READ."""
        self.env.cr.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = "
            "'crm_workflow_run_daily' AND indexdef LIKE 'CREATE UNIQUE%%'"
            " AND indexname != 'crm_workflow_run_daily_pkey'"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        rule = self.make_rule(trigger="on_create", actions=[self.set_priority("1")])
        self.LeadAsSalesman.create({"name": "First batch"})
        self.LeadAsSalesman.create({"name": "Second batch"})
        today = fields.Date.today()
        domain = [("rule_id", "=", rule.id), ("action_type", "=", False)]
        rows = self.Daily.search(domain)
        self.assertEqual(rows.mapped("run_count"), [1, 1])
        self.Daily._compact(today)
        row = self.Daily.search(domain)
        self.assertEqual((row.run_count, row.record_count), (2, 2))
        action = self.Daily.search(
            [("rule_id", "=", rule.id), ("action_type", "=", "field_update")]
        )
        self.assertEqual(action.action_count, 2)

    def test_batch_counts_equal_the_counts_from_the_log(self):
        """Each batch counts its rows in memory; the upgrade counts the log's
        rows in SQL (``_fill_from_runs``): both give the same report."""
        rule = self.make_rule(
            trigger="on_create_or_write",
            domain="[('name', 'not like', 'Broken')]",
            actions=[self.field_update("color", "2"), self.set_priority("1")],
        )
        failing = self.make_rule(
            trigger="on_create",
            actions=[self.function_action("raise UserError('nope')")],
        )
        leads = self.LeadAsSalesman.create([{"name": f"Deal {i}"} for i in range(3)])
        leads[1].description = "edited"
        self.LeadAsSalesman.create([{"name": "Broken 1"}, {"name": "Broken 2"}])
        self.env["crm.workflow.run"]._log_bulk(
            self.env["crm.workflow.engine"]._log_rows(
                rule, None, "crm.lead", [None], "done", duration=0.00015
            )
        )
        columns = [
            "rule_id",
            "action_type",
            "run_count",
            "record_count",
            "action_count",
            "failed_count",
            "duration_total",
            "duration_avg",
        ]

        def report():
            self.Daily._recount_records(fields.Date.today())
            rows = self.Daily.search_read(
                [("rule_id", "in", (rule | failing).ids)], columns
            )
            return sorted(
                (
                    row["rule_id"][0],
                    row["action_type"] or "",
                    *[row[c] for c in columns[2:]],
                )
                for row in rows
            )

        from_batches = report()
        self.assertIn((rule.id, "field_update", 0, 0, 8, 0, 0.0, 0.0), from_batches)
        self.Daily._fill_from_runs()
        self.assertEqual(report(), from_batches)

    def test_report_is_filled_from_existing_runs_on_upgrade(self):
        rule = self.make_rule(trigger="on_create", actions=[self.set_priority("1")])
        self.LeadAsSalesman.create([{"name": "A"}, {"name": "B"}])
        self.Daily._fill_from_runs()
        row = self.report(rule_id=rule.id, action_type=False)
        self.assertEqual((row.run_count, row.record_count), (2, 2))
        actions = self.report(rule_id=rule.id, action_type="field_update")
        self.assertEqual(actions.action_count, 2)


@tagged("post_install", "-at_install")
class TestUnkeyedReferences(RunLogCase):
    """The log's rule, condition, user and company have no foreign key
    (PostgreSQL would check each bulk-written row); a rule's deletion takes
    its runs with it and the others' deletion sets them empty, as the keys
    did."""

    def foreign_keys(self):
        self.env.cr.execute(
            """SELECT a.attname FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                 JOIN pg_attribute a
                   ON a.attrelid = t.oid AND a.attnum = ANY(c.conkey)
                WHERE t.relname = 'crm_workflow_run' AND c.contype = 'f'"""
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def test_bulk_written_references_have_no_foreign_key(self):
        keys = self.foreign_keys()
        self.assertFalse(
            keys & {"rule_id", "condition_id", "user_id", "company_id"}, keys
        )
        self.assertIn("robot_id", keys)

    def test_deleted_condition_leaves_its_runs_without_it(self):
        rule = self.make_rule(trigger="on_create", actions=[self.set_priority("1")])
        lead = self.LeadAsSalesman.create({"name": "Kept run"})
        run = self.runs(rule, lead)
        self.assertEqual(run.condition_id, rule.condition_ids)
        rule.condition_ids.unlink()
        run.invalidate_recordset()
        self.assertFalse(run.condition_id)
        self.assertEqual(run.read(["condition_id"])[0]["condition_id"], False)
        self.assertEqual(run.rule_id, rule)

    def test_deleted_user_leaves_their_runs_without_them(self):
        rule = self.make_rule(trigger="on_create", actions=[self.set_priority("1")])
        user = new_test_user(
            self.env, login="cwa_leaving", groups="sales_team.group_sale_salesman"
        )
        lead = self.Lead.with_user(user).create({"name": "Leaving user's lead"})
        run = self.runs(rule, lead)
        self.assertEqual(run.user_id, user)
        user.unlink()
        run.invalidate_recordset()
        self.assertTrue(run.exists())
        self.assertFalse(run.user_id)

    def test_deleted_rule_takes_its_runs_with_it(self):
        rule = self.make_rule(trigger="on_create", actions=[self.set_priority("1")])
        lead = self.LeadAsSalesman.create({"name": "Gone with the rule"})
        run = self.runs(rule, lead)
        self.assertEqual(len(run), 1)  # positive control
        rule.unlink()
        self.assertFalse(run.exists())

    def test_deleted_model_takes_its_rules_runs_with_it(self):
        """A rule goes with its model (uninstalling the model's module): the
        key's cascade deletes the rule, ir.model's unlink its runs."""
        model = self.env["ir.model"].create(
            {
                "name": "Workflow test thing",
                "model": "x_cwa_thing",
                "is_mail_thread": True,
            }
        )
        rule = self.make_rule(trigger="on_create", actions=[])
        rule.model_id = model
        Engine = self.env["crm.workflow.engine"]
        self.env["crm.workflow.run"]._log_bulk(
            Engine._log_rows(rule, None, "x_cwa_thing", [1, 2], "done")
        )
        runs = self.env["crm.workflow.run"].search([("rule_id", "=", rule.id)])
        self.assertEqual(len(runs), 2)
        model.unlink()
        self.assertFalse(rule.exists())
        self.assertFalse(runs.exists())

    def test_upgrade_drops_the_keys_of_earlier_versions(self):
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE crm_workflow_run ADD CONSTRAINT crm_workflow_run_user_id_fkey"
            " FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE SET NULL;"
            "ALTER TABLE crm_workflow_run ADD CONSTRAINT crm_workflow_run_rule_id_fkey"
            " FOREIGN KEY (rule_id) REFERENCES crm_workflow_rule(id) ON DELETE CASCADE"
        )
        self.assertTrue({"user_id", "rule_id"} <= self.foreign_keys())
        self.env["crm.workflow.run"]._drop_unkeyed_foreign_keys()
        self.assertEqual(self.foreign_keys() & {"user_id", "rule_id"}, set())
        self.assertIn("robot_id", self.foreign_keys())


@tagged("post_install", "-at_install")
class TestAutomationButtons(RunLogCase):
    def bindings(self, model):
        return self.env["ir.actions.act_window"].search(
            [
                ("res_model", "=", "crm.workflow.run"),
                ("binding_model_id.model", "=", model),
            ]
        )

    def test_a_model_with_rules_gets_an_automation_action_on_its_records(self):
        self.assertFalse(self.bindings("res.partner"))
        rule = self.make_rule(
            name="Partner rule",
            model_id=self.env["ir.model"]._get_id("res.partner"),
            trigger="on_create",
            actions=[],
        )
        binding = self.bindings("res.partner")
        self.assertEqual(len(binding), 1)
        self.assertEqual(binding.name, "Automation")
        self.assertEqual(binding.binding_view_types, "form")
        self.assertIn("active_id", binding.domain)
        if "fr_FR" in dict(self.env["res.lang"].get_installed()):
            self.assertEqual(binding.with_context(lang="fr_FR").name, "Automatisation")
        self.make_rule(
            name="Second partner rule",
            model_id=self.env["ir.model"]._get_id("res.partner"),
            trigger="on_create",
        )
        self.assertEqual(len(self.bindings("res.partner")), 1)
        self.Rule.with_context(active_test=False).search(
            [("model_name", "=", "res.partner")]
        ).unlink()
        self.assertFalse(self.bindings("res.partner"))
        self.assertFalse(rule.exists())

    def test_rule_robot_and_function_forms_count_their_last_30_days(self):
        rule = self.make_rule(
            trigger="on_create",
            domain="[('name', 'not like', 'Broken')]",
            actions=[self.set_priority("1")],
        )
        self.LeadAsSalesman.create([{"name": "One"}, {"name": "Two"}])
        robot = self.robot(self.s2)
        lead = self.new_lead("Robot", stage=self.s1)
        lead.with_user(self.salesman).stage_id = self.s2
        rule.invalidate_recordset()
        # the three leads created (the robot's one too)
        self.assertEqual(rule.report_run_count_30d, 3)
        self.assertEqual(rule.report_record_count_30d, 3)
        self.assertEqual(rule.report_action_count_30d, 3)
        self.assertEqual(rule.report_failed_count_30d, 0)
        self.assertEqual(robot.report_run_count_30d, 1)
        # a run older than 30 days is not counted
        self.env.cr.execute(
            "UPDATE crm_workflow_run_daily SET day = day - 40 WHERE rule_id = %s",
            [rule.id],
        )
        rule.invalidate_recordset()
        self.assertEqual(rule.report_run_count_30d, 0)
        action = rule.action_view_status_report()
        self.assertEqual(action["res_model"], "crm.workflow.run.daily")
        self.assertEqual(action["domain"], [("rule_id", "=", rule.id)])
        log = robot.action_view_run_log()
        self.assertEqual(log["domain"], [("robot_id", "=", robot.id)])
