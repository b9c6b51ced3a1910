# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Workflow Automation: SMS",
    "summary": "Workflow rules send SMS through Odoo's SMS queue",
    "version": "18.0.1.0.1",
    "development_status": "Alpha",
    "category": "Sales/CRM",
    "website": "https://github.com/crm-workflow-automation/crm_workflow_automation",
    "author": "CRM Workflow Automation contributors",
    "maintainers": [],
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": ["crm_workflow_automation", "sms"],
    "data": [
        "security/ir.model.access.csv",
        "views/crm_workflow_action_sms_views.xml",
    ],
    "demo": ["demo/crm_workflow_robot_demo.xml"],
}
