# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The exported module installed as an add-on on another database.
This test is pytest only: it installs the module with a second Odoo process
(``python3 -m odoo -i <module> --addons-path=...:<tmpdir>``) on a copy of
the test database, and runs the rules there with ``odoo shell``; Odoo's own
runner, inside its transaction and its registry, cannot start another
server on another database. The copy holds none of the records the test
exports: they are made in the test's transaction, never committed."""

# pylint: disable=print-used  # the time it took is the test's report (pytest -s)

import base64
import io
import subprocess
import sys
import tempfile
import time
import zipfile

from odoo import Command
from odoo.tests import TransactionCase, tagged

from . import faults

MODULE = "cwa_export_other_db"
XMLID = f"{MODULE}.crm_workflow_rule_welcome_other_db"
SHELL = """
Rule = env["crm.workflow.rule"]
Rule.search([("name", "!=", "Welcome (other db)")]).write({"active": False})
lead = env["crm.lead"].create(
    {"name": "Other db order", "type": "opportunity", "email_from": "c@example.com"}
)
mail = env["mail.mail"].search([("res_id", "=", lead.id), ("model", "=", "crm.lead")])
print("MAIL", mail.subject)
print("TAGS", lead.tag_ids.mapped("name"))
lead.stage_id = env.ref("crm.stage_lead2")
print("TASKS", lead.activity_ids.mapped("summary"))
print("RULE", env.ref("XMLID").name)
env.cr.rollback()
"""


@tagged("post_install", "-at_install")
class TestExportToAnotherDatabase(TransactionCase):
    def test_exported_module_installs_and_runs_on_another_database(self):
        env = self.env
        template = env["mail.template"].create(
            {
                "name": "Welcome (other db)",
                "model_id": env["ir.model"]._get_id("crm.lead"),
                "subject": "Welcome {{ object.name }}",
                "body_html": "<p>Welcome.</p>",
            }
        )
        tag = env["crm.tag"].create({"name": "Imported (other db)"})
        rule = env["crm.workflow.rule"].create(
            {
                "name": "Welcome (other db)",
                "trigger": "on_create",
                "user_id": env.ref("base.user_admin").id,
                "condition_ids": [
                    Command.create(
                        {
                            "domain": "[('name', 'like', 'Other db')]",
                            "action_ids": [
                                Command.create(
                                    {
                                        "action_type": "email",
                                        "mail_template_id": template.id,
                                        "email_recipients": "customer",
                                    }
                                ),
                                Command.create(
                                    {"action_type": "add_tags", "tag_ids": tag.ids}
                                ),
                            ],
                        }
                    )
                ],
            }
        )
        robot = env["crm.workflow.robot"].create(
            {
                "stage_id": env.ref("crm.stage_lead2").id,
                "action_type": "activity",
                "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                "activity_summary": "Call them (other db)",
                "user_id": env.ref("base.user_admin").id,
            }
        )
        wizard = env["crm.workflow.export"].create(
            {
                "module_name": MODULE,
                "rule_ids": [Command.set(rule.ids)],
                "robot_ids": [Command.set(robot.ids)],
            }
        )
        wizard.action_export()
        content = base64.b64decode(wizard.file)

        source = env.cr.dbname
        target = f"{source}_export_other"
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="cwa-export-") as folder:
            zipfile.ZipFile(io.BytesIO(content)).extractall(folder)
            faults.copy_database(source, target)
            try:
                install = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "odoo",
                        "-d",
                        target,
                        "-i",
                        MODULE,
                        f"--addons-path={faults.addons_path()},{folder}",
                        "--stop-after-init",
                        "--no-http",
                        "--log-level=warn",
                    ],
                    check=False,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                self.assertEqual(install.returncode, 0, install.stderr[-3000:])
                out = faults.odoo_shell(target, SHELL.replace("XMLID", XMLID))
            finally:
                faults.drop_database(target)
        print(f"EXPORT other database: {time.monotonic() - started:.1f} s")
        self.assertIn("MAIL Welcome Other db order", out)
        self.assertIn("TAGS ['Imported (other db)']", out)
        self.assertIn("TASKS ['Call them (other db)']", out)
        self.assertIn("RULE Welcome (other db)", out)
