# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The trigger plug-in point seen from outside, on a database of its own (an
uninstall cannot run inside a test's transaction): the core alone has no call
triggers; this add-on adds them and they run; uninstalling it deletes the
rules and stage triggers of its types (the selections' ``ondelete``
"cascade": a rule left with another trigger would run on events it was never
meant for) and the core keeps working, crm_phonecall's calls included."""

import textwrap

from odoo.tests import tagged

from odoo.addons.crm_workflow_automation.tests.separate_database import (
    SeparateDatabaseCase,
)

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
class TestUninstall(SeparateDatabaseCase):
    def test_call_triggers_come_and_go_with_the_add_on(self):
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
        self.run_steps("phonecall_ext", steps)
