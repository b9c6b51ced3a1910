# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The extension point seen from outside, on a database of its own: the core
alone has no SMS type; this add-on adds it and its rules run; uninstalling it
removes its actions (the selection's ``ondelete``) and the core keeps working."""

import textwrap

from odoo.tests import tagged

from odoo.addons.crm_workflow_automation.tests.separate_database import (
    SeparateDatabaseCase,
)

CORE_ONLY = textwrap.dedent(
    """
    Action = env["crm.workflow.action"]
    types = dict(Action._fields["action_type"].selection)
    assert "sms" not in types, types
    assert "field_update" in types, types
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

WITH_SMS = textwrap.dedent(
    """
    Action = env["crm.workflow.action"]
    assert "sms" in dict(Action._fields["action_type"].selection)
    rule = env["crm.workflow.rule"].create({
        "name": "Text new leads",
        "trigger": "on_create",
        "condition_ids": [(0, 0, {"action_ids": [(0, 0, {"action_type": "sms",
            "sms_mode": "text", "sms_body": "Hello {{ object.contact_name }}"})]})],
    })
    before = env["sms.sms"].search([], order="id desc", limit=1).id or 0
    leads = env["crm.lead"].create([
        {"name": f"Lead {n}", "contact_name": f"C{n}", "mobile": f"+3247012{n:04d}"}
        for n in range(20)
    ])
    sms = env["sms.sms"].search([("id", ">", before)])
    assert len(sms) == 20 and set(sms.mapped("state")) == {"outgoing"}, sms
    assert "Hello C0" in sms.mapped("body"), sms.mapped("body")
    env.cr.commit()
    module = env["ir.module.module"].search(
        [("name", "=", "crm_workflow_automation_sms")]
    )
    module.button_immediate_uninstall()
    env.cr.commit()
    env = env(context={})
    env.cr.execute("SELECT count(*) FROM crm_workflow_action WHERE action_type = 'sms'")
    assert env.cr.fetchone()[0] == 0, "SMS actions left behind"
    assert env["crm.workflow.rule"].search([("name", "=", "Text new leads")])
    lead = env["crm.lead"].create({"name": "After uninstall", "probability": 60})
    assert lead.priority == "3", lead.priority
    print("WITH-SMS-OK")
    """
)


@tagged("post_install", "-at_install")
class TestExtensionPoint(SeparateDatabaseCase):
    def test_sms_type_comes_and_goes_with_its_add_on(self):
        steps = [
            (
                "-i crm_workflow_automation",
                ["-i", "crm_workflow_automation", "--without-demo=all"],
                None,
                None,
            ),
            ("core only", [], CORE_ONLY, "CORE-ONLY-OK"),
            (
                "-i the SMS add-on",
                ["-i", "crm_workflow_automation_sms"],
                None,
                None,
            ),
            ("with SMS, then uninstalled", [], WITH_SMS, "WITH-SMS-OK"),
        ]
        self.run_steps("sms_ext", steps)
