# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fields a form lets the user leave empty (a rule's company and user, a
robot's user and team) are configurations users have: the run log and the
status report store them as NULL, and the user's save goes through."""

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.crm_workflow_run import LOG_COLUMNS
from .common import WorkflowCase

# the run-log columns that may be empty, with the report's columns they feed
NULLABLE = [
    name
    for name, kind in LOG_COLUMNS
    if kind == "int4" and name not in ("res_id", "depth")
]


@tagged("post_install", "-at_install")
class TestEmptyFields(WorkflowCase):
    def log_rows(self, model="crm.lead", res_id=None):
        """One row per column of NULLABLE, holding False (the ORM's "empty")
        there and in every other reference."""
        rows = []
        for owner in ("rule_id", "robot_id", "trigger_id", "function_id", None):
            values = dict.fromkeys(NULLABLE, False)
            values.update(
                res_model=model,
                res_id=res_id,
                state="done",
                error=False,
                duration=0.5,
                trigger="job",
                depth=0,
                event_uid=False,
                caller=False,
                result=False,
                record_name=False,
                changed_fields=False,
                outcome=False,
            )
            if owner:
                values[owner] = self.owners[owner].id
            rows.append(tuple(values[name] for name, __ in LOG_COLUMNS))
        return rows

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rule = cls.make_rule(
            name="All companies",
            company_id=False,
            user_id=False,
            actions=[cls.set_priority("2")],
        )
        rule.active = False
        Robot = cls.env["crm.workflow.robot"]
        robot = Robot.create(
            {
                "stage_id": cls.stage_qualified.id,
                "action_type": "field_update",
                "update_field_id": cls.field("priority").id,
                "update_value": "1",
                "active": False,
            }
        )
        trigger = cls.env["crm.workflow.trigger"].create(
            {
                "name": "Won",
                "stage_id": cls.stage_won.id,
                "trigger_type": "won",
                "active": False,
            }
        )
        function = cls.env["crm.workflow.function"].create(
            {"name": "Nothing", "api_name": "tests_empty_nothing", "code": "pass"}
        )
        cls.owners = {
            "rule_id": rule,
            "robot_id": robot,
            "trigger_id": trigger,
            "function_id": function,
        }

    def test_log_and_report_write_null_for_every_empty_reference(self):
        lead = self.Lead.create({"name": "Empty references"})
        Run = self.env["crm.workflow.run"]
        Run.flush_model()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM crm_workflow_run")
        last_run = self.env.cr.fetchone()[0]
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM crm_workflow_run_daily")
        last_day = self.env.cr.fetchone()[0]

        Run._log_bulk(self.log_rows(res_id=lead.id))

        columns = SQL(", ").join(SQL.identifier(name) for name in NULLABLE)
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM crm_workflow_run WHERE id > %s ORDER BY id",
                columns,
                last_run,
            )
        )
        logged = self.env.cr.fetchall()
        self.assertEqual(len(logged), 5)
        for row, owner in zip(logged, list(self.owners) + [None], strict=True):
            for name, value in zip(NULLABLE, row, strict=True):
                if name == owner:
                    self.assertEqual(value, self.owners[owner].id)
                else:
                    self.assertIsNone(value, f"{name} of the {owner} row")
        self.env.cr.execute(
            """SELECT rule_id, robot_id, trigger_id, function_id, company_id,
                      run_count, record_count
                 FROM crm_workflow_run_daily WHERE id > %s ORDER BY id""",
            [last_day],
        )
        report = self.env.cr.fetchall()
        # a row per owner, the row without one included; none with a company
        self.assertEqual(len(report), 5)
        self.assertTrue(all(row[4] is None for row in report), report)
        self.assertTrue(all(row[5:] == (1, 1) for row in report), report)
        owners = {tuple(value or None for value in row[:4]) for row in report}
        self.assertIn((None, None, None, None), owners)
        self.assertIn((self.owners["rule_id"].id, None, None, None), owners)
        # the daily merge keeps them apart, NULL company included
        Daily = self.env["crm.workflow.run.daily"]
        Daily._compact(fields.Date.context_today(Daily))
        self.env.cr.execute(
            """SELECT count(*) FROM crm_workflow_run_daily
                WHERE company_id IS NULL AND rule_id = %s""",
            [self.owners["rule_id"].id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1)

    def test_a_rule_for_all_companies_runs_on_every_save(self):
        """The form offers "leave empty for all companies": such a rule runs
        on create and write, its job runs, and the user's edits are kept."""
        rule = self.make_rule(
            name="For all companies",
            company_id=False,
            user_id=False,
            actions=[
                self.set_priority("3"),
                self.field_update(
                    "description", "later", timing="scheduled", delay_amount=1
                ),
            ],
        )
        self.assertFalse(rule.company_id)
        with self.trap_jobs() as trap:
            lead = self.Lead.with_user(self.salesman).create(
                {"name": "Everywhere", "user_id": self.salesman.id}
            )
            lead.write({"name": "Everywhere, renamed"})
            self.assertEqual(lead.priority, "3")
            job = trap.assert_enqueued(rule=rule, records=lead)[:1]
            self.assertTrue(job)
            self.assertFalse(job.company_id)
            trap.run_all(days=1)
        self.env.invalidate_all()
        self.assertEqual(lead.name, "Everywhere, renamed")
        self.assertEqual(lead.description, "<p>later</p>")
        runs = self.runs(rule, lead)
        self.assertTrue(runs)
        self.assertFalse(
            runs.filtered(lambda r: r.state == "failed"), runs.mapped("error")
        )
        self.assertFalse(runs.company_id)
        self.env.cr.execute(
            """SELECT sum(run_count), bool_and(company_id IS NULL)
                 FROM crm_workflow_run_daily WHERE rule_id = %s""",
            [rule.id],
        )
        count, no_company = self.env.cr.fetchone()
        self.assertEqual(count, len(runs))
        self.assertTrue(no_company)

    def test_a_job_stores_null_for_every_empty_reference(self):
        """PostgreSQL casts false to 0 in an int4 array: an empty reference
        would be a job of rule 0 or company 0."""
        rule = self.owners["rule_id"]
        # the rule is archived, and its actions with it
        action = rule.with_context(active_test=False).condition_ids.action_ids
        self.assertTrue(action)
        lead = self.Lead.create({"name": "Empty job references"})
        Job = self.env["crm.workflow.job"].sudo()
        ids = Job._enqueue(
            [
                {
                    "rule_id": rule.id,
                    "action_id": action.id,
                    "condition_id": False,
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "eta": fields.Datetime.now(),
                    "idempotency_key": f"empty-references-{lead.id}",
                    "company_id": False,
                    "robot_id": False,
                    "trigger_id": False,
                    "user_id": False,
                }
            ]
        )
        self.env.cr.execute(
            """SELECT condition_id, company_id, robot_id, trigger_id, user_id
                 FROM crm_workflow_job WHERE id = ANY(%s)""",
            [ids],
        )
        self.assertEqual(
            self.env.cr.fetchall(), [(None, None, None, None, self.env.uid)]
        )
