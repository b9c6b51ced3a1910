# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import os
import subprocess
import sys
import textwrap

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import config

ADDON = "crm_workflow_automation"
CONFIG_MENUS = {
    f"{ADDON}.crm_workflow_automation_menu",
    f"{ADDON}.crm_workflow_rule_menu",
    f"{ADDON}.crm_workflow_function_menu",
    f"{ADDON}.crm_workflow_robot_menu",
    f"{ADDON}.crm_workflow_trigger_menu",
    f"{ADDON}.crm_workflow_job_menu",
    f"{ADDON}.crm_workflow_run_menu",
    f"{ADDON}.crm_workflow_automation_reporting_menu",
    f"{ADDON}.crm_workflow_run_daily_menu",
    f"{ADDON}.crm_workflow_export_menu",
    f"{ADDON}.crm_workflow_import_menu",
}
REPORT_MENUS = {
    f"{ADDON}.crm_workflow_automation_report_menu",
    f"{ADDON}.crm_workflow_rule_report_menu",
    f"{ADDON}.crm_workflow_run_report_menu",
    f"{ADDON}.crm_workflow_job_report_menu",
    f"{ADDON}.crm_workflow_run_daily_report_menu",
}
MODELS = (
    "crm.workflow.rule",
    "crm.workflow.condition",
    "crm.workflow.action",
    "crm.workflow.run",
    "crm.workflow.job",
    "crm.workflow.job.attempt",
)


@tagged("post_install", "-at_install")
class TestGroupsMenusAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_user = new_test_user(
            cls.env, login="cwa_plain", groups="base.group_user"
        )
        cls.workflow_user = new_test_user(
            cls.env, login="cwa_wf_user", groups="sales_team.group_sale_salesman"
        )
        cls.workflow_manager = new_test_user(
            cls.env, login="cwa_wf_manager", groups="sales_team.group_sale_manager"
        )
        cls.developer = new_test_user(
            cls.env,
            login="cwa_wf_dev",
            groups="sales_team.group_sale_manager,base.group_system",
        )

    def visible_menus(self, user):
        Menu = self.env["ir.ui.menu"].with_user(user)
        visible = Menu._visible_menu_ids()
        ours = self.env["ir.model.data"].search(
            [("module", "=", ADDON), ("model", "=", "ir.ui.menu")]
        )
        shown = set()
        for xid in ours:
            menu = self.env["ir.ui.menu"].browse(xid.res_id)
            # the web client shows a menu when it and all its parents are visible
            while menu and menu.id in visible:
                menu = menu.parent_id
            if not menu:
                shown.add(f"{ADDON}.{xid.name}")
        return shown

    def test_group_chain_follows_the_sales_groups(self):
        group = self.env.ref
        self.assertTrue(self.workflow_user.has_group(f"{ADDON}.group_workflow_user"))
        self.assertFalse(
            self.workflow_user.has_group(f"{ADDON}.group_workflow_manager")
        )
        self.assertTrue(
            self.workflow_manager.has_group(f"{ADDON}.group_workflow_manager")
        )
        self.assertFalse(
            self.workflow_manager.has_group(f"{ADDON}.group_workflow_developer")
        )
        self.assertTrue(self.developer.has_group(f"{ADDON}.group_workflow_developer"))
        self.assertFalse(self.plain_user.has_group(f"{ADDON}.group_workflow_user"))
        category = group(f"{ADDON}.module_category_workflow_automation")
        self.assertEqual(group(f"{ADDON}.group_workflow_manager").category_id, category)
        self.assertEqual(category.name, "Workflow Automation")

    def test_each_group_sees_exactly_its_menus(self):
        self.assertEqual(self.visible_menus(self.plain_user), set())
        self.assertEqual(self.visible_menus(self.workflow_user), REPORT_MENUS)
        self.assertEqual(
            self.visible_menus(self.workflow_manager), REPORT_MENUS | CONFIG_MENUS
        )
        self.assertEqual(
            self.visible_menus(self.developer), REPORT_MENUS | CONFIG_MENUS
        )

    def test_workflow_user_reads_but_cannot_change_rules(self):
        for model in MODELS:
            self.assertTrue(
                self.env[model].with_user(self.workflow_user).has_access("read"), model
            )
            self.assertFalse(
                self.env[model].with_user(self.plain_user).has_access("read"), model
            )
        Rule = self.env["crm.workflow.rule"].with_user(self.workflow_user)
        self.assertFalse(Rule.has_access("create"))
        with self.assertRaises(AccessError):
            Rule.create({"name": "Not mine to make"})

    def test_workflow_manager_builds_rules_but_no_code(self):
        rule = (
            self.env["crm.workflow.rule"]
            .with_user(self.workflow_manager)
            .create(
                {"name": "Manager's rule", "condition_ids": [(0, 0, {"domain": "[]"})]}
            )
        )
        self.assertTrue(rule.exists())
        for model in (
            "crm.workflow.rule",
            "crm.workflow.condition",
            "crm.workflow.action",
        ):
            Model = self.env[model].with_user(self.workflow_manager)
            for operation in ("read", "write", "create", "unlink"):
                self.assertTrue(Model.has_access(operation), (model, operation))
        self.assertFalse(
            self.env["crm.workflow.run"]
            .with_user(self.workflow_manager)
            .has_access("create")
        )
        condition = rule.condition_ids
        Function = self.env["crm.workflow.function"]
        with self.assertRaises(AccessError):
            Function.with_user(self.workflow_manager).create(
                {"name": "X", "api_name": "x_by_manager", "code": "records.write({})"}
            )
        function = Function.with_user(self.developer).create(
            {
                "name": "Say hi",
                "api_name": "say_hi",
                "code": "log('hi')",
                "argument_ids": [Command.create({"name": "who", "arg_type": "char"})],
            }
        )
        action = (
            self.env["crm.workflow.action"]
            .with_user(self.workflow_manager)
            .create(
                {
                    "condition_id": condition.id,
                    "action_type": "function",
                    "function_id": function.id,
                }
            )
        )
        expression = {
            "argument_id": function.argument_ids.id,
            "mode": "expression",
            "expression": "record.name",
        }
        with self.assertRaises(AccessError):
            action.function_argument_ids = [Command.create(expression)]
        action.with_user(self.developer).function_argument_ids = [
            Command.create(expression)
        ]
        self.assertEqual(function.sudo().code, "log('hi')")

    def test_multi_company_rules_hide_other_companies(self):
        other = self.env["res.company"].create({"name": "Other Co (tests)"})
        rule = self.env["crm.workflow.rule"].create(
            {"name": "Other company's rule", "company_id": other.id}
        )
        Rule = self.env["crm.workflow.rule"].with_user(self.workflow_manager)
        self.assertNotIn(rule, Rule.search([]))
        self.workflow_manager.company_ids |= other
        self.assertIn(
            rule, Rule.with_context(allowed_company_ids=[other.id]).search([])
        )


UNINSTALL_SCRIPT = textwrap.dedent(
    """
    module = env["ir.module.module"].search([("name", "=", "crm_workflow_automation")])
    assert module.state == "installed", module.state
    module.button_immediate_uninstall()
    env.cr.commit()
    env = env(context={})
    env.cr.execute(
        "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'crm_workflow%%'"
    )
    assert env.cr.fetchone()[0] == 0, "tables left behind"
    models_left = env["ir.model"].search([("model", "like", "crm.workflow.")])
    assert not models_left, "models left"
    stage = env["crm.stage"].search([], limit=1)
    lead = env["crm.lead"].create({"name": "After uninstall", "stage_id": stage.id})
    lead.write({"expected_revenue": 1000, "priority": "2"})
    lead.message_post(body="still works")
    assert not hasattr(type(lead).write, "origin"), "a patch is left on crm.lead"
    print("UNINSTALL-OK")
    """
)


@tagged("post_install", "-at_install")
class TestInstallUninstall(TransactionCase):
    """Installs the add-on on a fresh database of its own, then removes it:
    CRM keeps working and nothing of ours is left."""

    def test_install_then_uninstall_leaves_crm_working(self):
        db = f"{self.env.cr.dbname}_uninstall"
        env = dict(os.environ)
        addons = config["addons_path"]
        common = [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={addons}",
            "--no-http",
        ]
        subprocess.run(["dropdb", "--if-exists", db], check=True, env=env)
        try:
            install = subprocess.run(
                common + ["-i", ADDON, "--stop-after-init", "--log-level=warn"],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            self.assertEqual(install.returncode, 0, install.stderr[-3000:])
            self.assertNotIn(" ERROR ", install.stderr + install.stdout)
            shell = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "odoo",
                    "shell",
                    "-d",
                    db,
                    f"--addons-path={addons}",
                    "--no-http",
                    "--log-level=warn",
                ],
                input=UNINSTALL_SCRIPT,
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            self.assertIn(
                "UNINSTALL-OK",
                shell.stdout,
                shell.stdout[-2000:] + shell.stderr[-3000:],
            )
        finally:
            subprocess.run(["dropdb", "--if-exists", db], check=False, env=env)
