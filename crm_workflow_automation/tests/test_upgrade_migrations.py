# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an upgrade does to functions (the whole upgrade from the first
release is ``make test-upgrade``): their code is never replaced; what cannot
run or was broken by an earlier upgrade is flagged for review, with a task
for the responsible of each rule calling it. The demo's webhook gets its
host allow-listed on an upgrade too, and the runs logged with the text
outcome of 18.0.1.7.0 say what their actions did in JSON."""

import importlib.util
import os

from odoo import fields, tools
from odoo.tests import new_test_user, tagged
from odoo.tools import sql

from .common import WorkflowCase

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
DISABLED = (
    "# try:\n#     x = 1\n# except:\n#     pass\n# \n# result = 2\n"
    "raise UserError('Fix this function')\n"
)


def migration(version, stage="post"):
    path = os.path.join(MIGRATIONS, version, f"{stage}-migration.py")
    name = f"cwa_migration_{stage}_{version}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestUpgradeKeepsFunctions(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.responsible = new_test_user(
            cls.env,
            login="cwa_upgrade_responsible",
            name="Rita Responsible",
            groups="sales_team.group_sale_manager,"
            "crm_workflow_automation.group_workflow_developer",
        )
        cls.Function = cls.env["crm.workflow.function"]

    def function_rule(self, function):
        return self.make_rule(
            name="Calls the function",
            user_id=self.responsible.id,
            actions=[{"action_type": "function", "function_id": function.id}],
        )

    def review_tasks(self, function):
        return function.activity_ids.filtered(
            lambda a: a.summary == "Review this function"
        )

    def test_code_the_old_migration_replaced_is_restored_and_flagged(self):
        broken = self.Function.create(
            {"name": "Broken", "api_name": "action_901", "code": DISABLED}
        )
        edited = self.Function.create(
            {
                "name": "Fixed by hand",
                "api_name": "action_902",
                "code": DISABLED.replace("raise", "result = 3\n# raise"),
            }
        )
        self.function_rule(broken)
        migration("18.0.1.7.0").migrate(self.env.cr, "18.0.1.6.0")
        self.assertEqual(
            broken.code, "try:\n    x = 1\nexcept:\n    pass\n\nresult = 2"
        )
        self.assertEqual(broken.review_reason, "restored")
        self.assertEqual(broken._call(caller="button"), 2, "the code runs again")
        task = self.review_tasks(broken)
        self.assertEqual(task.user_id, self.responsible)
        self.assertIn("restored", task.note)
        self.assertFalse(edited.review_reason)
        self.assertIn("result = 3", edited.code)

    def _old_function_action(self, code):
        """A function action as 18.0.1.0.0 stored it: inline code, no
        function (the old column is put back for the test, in SQL)."""
        rule = self.make_rule(
            name="Old function action",
            user_id=self.responsible.id,
            actions=[{"action_type": "notify", "user_ids": [self.salesman.id]}],
        )
        action = rule.action_ids
        self.env.flush_all()
        self.env.cr.execute(
            "ALTER TABLE crm_workflow_action ADD COLUMN IF NOT EXISTS code text"
        )
        self.env.cr.execute(
            "UPDATE crm_workflow_action SET action_type = 'function', code = %s"
            " WHERE id = %s",
            [code, action.id],
        )
        action.invalidate_recordset()
        return action

    def test_function_actions_keep_their_code_as_written(self):
        bare = "try:\n    result = 1 / 0\nexcept:\n    result = 'caught'\n"
        swallowing = "for x in range(3):\n    try:\n        pass\n"
        swallowing += "    finally:\n        continue\n"
        runs = self._old_function_action(bare)
        refused = self._old_function_action(swallowing)
        migration("18.0.1.2.0").migrate(self.env.cr, "18.0.1.1.0")
        self.assertEqual(runs.function_id.code, bare)
        self.assertFalse(runs.function_id.review_reason, "it runs: nothing to review")
        self.assertEqual(runs.function_id._call(caller="button"), "caught")
        function = refused.function_id
        self.assertEqual(function.code, swallowing, "kept, never replaced")
        self.assertEqual(function.review_reason, "refused")
        self.assertIn("finally", function.code_problem)
        self.assertEqual(self.review_tasks(function).user_id, self.responsible)

    def test_mark_as_reviewed_clears_the_flag_and_closes_the_task(self):
        function = self.Function.create(
            {"name": "Flagged", "api_name": "flagged_fn", "code": "result = 1"}
        )
        self.function_rule(function)
        function._flag_for_review("restored")
        self.assertEqual(len(self.review_tasks(function)), 1)
        self.assertIn(function, self.Function.search([("review_reason", "!=", False)]))
        function.with_user(self.responsible).action_mark_reviewed()
        self.assertFalse(function.review_reason)
        self.assertFalse(self.review_tasks(function))

    def test_a_function_no_rule_calls_gets_its_author_as_reviewer(self):
        function = self.Function.with_user(self.responsible).create(
            {"name": "Alone", "api_name": "alone_fn", "code": "result = 1"}
        )
        function._flag_for_review("refused")
        self.assertEqual(self.review_tasks(function).user_id, self.responsible)


@tagged("post_install", "-at_install")
class TestUpgradeDemoHost(WorkflowCase):
    KEY = "crm_workflow_automation.webhook_allowed_hosts"

    def test_demo_host_is_added_before_its_webhook_only(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(self.KEY, "erp.example.com")
        Action = self.env["crm.workflow.action"]
        Action._allow_demo_webhook_host("127.0.0.1", "crm_workflow_automation.nope")
        self.assertEqual(params.get_param(self.KEY), "erp.example.com,127.0.0.1")
        Action._allow_demo_webhook_host("127.0.0.1", "crm_workflow_automation.nope")
        self.assertEqual(params.get_param(self.KEY), "erp.example.com,127.0.0.1")
        # the demo webhook exists: the list is the administrator's
        params.set_param(self.KEY, "erp.example.com")
        Action._allow_demo_webhook_host(
            "127.0.0.1",
            "crm_workflow_automation.crm_workflow_action_won_erp_webhook_demo",
        )
        self.assertEqual(params.get_param(self.KEY), "erp.example.com")


@tagged("post_install", "-at_install")
class TestUpgradeRunOutcome(WorkflowCase):
    """18.0.1.8.0: the ``outcome`` text of the runs logged before becomes
    the JSON the run log reads."""

    def old_runs(self, texts):
        """Runs logged as 18.0.1.7.0 did: the outcome column put back to text
        for the test (the runs already logged lose theirs), one run a text."""
        Run = self.env["crm.workflow.run"]
        self.env.flush_all()
        self.env.cr.execute(
            "ALTER TABLE crm_workflow_run ALTER COLUMN outcome TYPE text USING NULL"
        )
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM crm_workflow_run")
        last = self.env.cr.fetchone()[0]
        lead = self.Lead.create({"name": "Logged before the upgrade"})
        Engine = self.env["crm.workflow.engine"]
        rows = []
        for text in texts:
            rows += Engine._log_rows(
                self.rule, None, "crm.lead", [lead.id], "done", outcome=text
            )
        Run._log_bulk(rows)
        Run.invalidate_model()
        return Run.search([("id", ">", last)], order="id")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.make_rule(
            name="Logged in text",
            trigger="on_create",
            actions=[cls.set_priority("2"), cls.field_update("color", "5")],
        )
        cls.rule.active = False
        cls.instant, cls.later = cls.rule.with_context(
            active_test=False
        ).action_ids.sorted("sequence")

    def test_text_outcome_becomes_json_and_reads_the_same(self):
        a, b = self.instant, self.later
        runs = self.old_runs(
            [
                f"{a.id} done\n{b.id} scheduled 2026-12-08 09:30:00 345",
                f"{b.id} scheduled 2026-12-08 09:30:00",
                "999999 done",
                "",
                None,
            ]
        )
        self.assertEqual(len(runs), 5)
        migration("18.0.1.8.0", "pre").migrate(self.env.cr, "18.0.1.7.0")
        columns = sql.table_columns(self.env.cr, "crm_workflow_run")
        self.assertEqual(columns["outcome"]["udt_name"], "jsonb")
        self.assertNotIn("outcome_json", columns)
        runs.invalidate_recordset()
        due = "2026-12-08 09:30:00"
        self.assertEqual(
            runs.mapped(lambda r: r.outcome),
            [
                [
                    {"action": a.id, "state": "done"},
                    {"action": b.id, "state": "scheduled", "due": due, "job": 345},
                ],
                [{"action": b.id, "state": "scheduled", "due": due}],
                [{"action": 999999, "state": "done"}],
                False,
                False,
            ],
        )
        when = tools.format_datetime(self.env, fields.Datetime.to_datetime(due))
        self.assertEqual(
            runs[0].outcome_description,
            f"{a.display_name}: done\n"
            f"{b.display_name}: scheduled for {when} (job #345)",
        )
        self.assertEqual(
            runs[1].outcome_description, f"{b.display_name}: scheduled for {when}"
        )
        self.assertEqual(runs[2].outcome_description, "Action #999999 (deleted): done")
        self.assertFalse(runs[3].outcome_description)
        # a second run of the migration finds JSON and leaves it
        migration("18.0.1.8.0", "pre").migrate(self.env.cr, "18.0.1.7.0")
        runs.invalidate_recordset()
        self.assertEqual(
            runs[1].outcome, [{"action": b.id, "state": "scheduled", "due": due}]
        )
