# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The trigger plug-in point seen from outside, on a database of its own (an
uninstall cannot run inside a test's transaction): the core alone has no call
triggers; this add-on adds them and they run; uninstalling it deletes the
rules and stage triggers of its types (the selections' ``ondelete``
"cascade": a rule left with another trigger would run on events it was never
meant for) and the core keeps working, crm_phonecall's calls included."""

import os
import subprocess
import sys
import textwrap

from odoo.tests import TransactionCase, tagged
from odoo.tools import config

ADDON = "crm_workflow_automation_phonecall"

CORE_ONLY = textwrap.dedent(
    """
    types = dict(env["crm.workflow.rule"]._fields["trigger"].selection)
    assert "on_call_missed" not in types and "on_create" in types, types
    stages = dict(env["crm.workflow.trigger"]._fields["trigger_type"].selection)
    assert "call_received" not in stages and "won" in stages, stages
    priority = env["ir.model.fields"]._get("crm.lead", "priority")
    high = priority.selection_ids.filtered(lambda s: s.value == "3")
    env["crm.workflow.rule"].create({
        "name": "Hot leads (core)",
        "trigger": "on_create",
        "condition_ids": [(0, 0, {"domain": "[('probability', '>=', 50)]",
            "action_ids": [(0, 0, {"action_type": "field_update",
                "update_field_id": priority.id,
                "update_selection_value": high.id})]})],
    })
    env.cr.commit()
    print("CORE-ONLY-OK")
    """
)

WITH_CALLS = textwrap.dedent(
    """
    priority = env["ir.model.fields"]._get("crm.lead", "priority")
    medium = priority.selection_ids.filtered(lambda s: s.value == "2")
    env["crm.workflow.rule"].create({
        "name": "Missed calls",
        "trigger": "on_call_missed",
        "condition_ids": [(0, 0, {"action_ids": [(0, 0, {
            "action_type": "field_update", "update_field_id": priority.id,
            "update_selection_value": medium.id})]})],
    })
    qualified = env["crm.stage"].create({"name": "Called", "sequence": 500})
    env["crm.workflow.trigger"].create({
        "name": "Called in", "stage_id": qualified.id,
        "trigger_type": "call_received",
    })
    lead = env["crm.lead"].create({"name": "Caller", "type": "opportunity"})
    env["crm.phonecall"].create({"name": "Missed", "direction": "in",
        "state": "open", "opportunity_id": lead.id})
    assert lead.priority == "2", lead.priority
    env["crm.phonecall"].create({"name": "Held", "direction": "in",
        "state": "done", "opportunity_id": lead.id})
    assert lead.stage_id == qualified, lead.stage_id
    env.cr.commit()
    module = env["ir.module.module"].search(
        [("name", "=", "crm_workflow_automation_phonecall")]
    )
    module.button_immediate_uninstall()
    env.cr.commit()
    env = env(context={})
    env.cr.execute(
        "SELECT count(*) FROM crm_workflow_rule WHERE trigger LIKE 'on_call_%'"
    )
    assert env.cr.fetchone()[0] == 0, "call rules left behind"
    env.cr.execute(
        "SELECT count(*) FROM crm_workflow_trigger WHERE trigger_type LIKE 'call_%'"
    )
    assert env.cr.fetchone()[0] == 0, "call triggers left behind"
    assert env["crm.workflow.rule"].search([("name", "=", "Hot leads (core)")])
    lead = env["crm.lead"].create({"name": "After uninstall", "probability": 60})
    assert lead.priority == "3", lead.priority
    env["crm.phonecall"].create({"name": "Still logged", "direction": "in",
        "state": "open", "opportunity_id": lead.id})
    assert lead.priority == "3", lead.priority
    print("WITH-CALLS-OK")
    """
)


@tagged("post_install", "-at_install")
class TestUninstall(TransactionCase):
    def odoo(self, db, *args, script=None):
        command = [sys.executable, "-m", "odoo"]
        if script is not None:
            command.append("shell")
        command += [
            "-d",
            db,
            f"--addons-path={config['addons_path']}",
            "--no-http",
            "--log-level=warn",
            *args,
        ]
        return subprocess.run(
            command,
            input=script,
            capture_output=True,
            text=True,
            env=dict(os.environ),
            check=False,
        )

    def test_call_triggers_come_and_go_with_the_add_on(self):
        db = f"{self.env.cr.dbname}_phonecall_ext"
        subprocess.run(["dropdb", "--if-exists", db], check=True)
        try:
            steps = [
                (
                    "-i the core and crm_phonecall",
                    [
                        "-i",
                        "crm_workflow_automation,crm_phonecall",
                        "--without-demo=all",
                    ],
                    None,
                    None,
                ),
                ("core only", [], CORE_ONLY, "CORE-ONLY-OK"),
                (f"-i {ADDON}", ["-i", ADDON], None, None),
                ("with calls, then uninstalled", [], WITH_CALLS, "WITH-CALLS-OK"),
            ]
            for name, args, script, expected in steps:
                if script is None:
                    args = [*args, "--stop-after-init"]
                done = self.odoo(db, *args, script=script)
                output = done.stdout[-2000:] + done.stderr[-3000:]
                self.assertEqual(done.returncode, 0, f"{name}: {output}")
                if expected:
                    self.assertIn(expected, done.stdout, f"{name}: {output}")
                else:
                    self.assertNotIn(" ERROR ", done.stderr, f"{name}: {output}")
        finally:
            subprocess.run(["dropdb", "--if-exists", db], check=False)
