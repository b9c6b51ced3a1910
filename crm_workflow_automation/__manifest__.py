# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Workflow Automation",
    "summary": "Workflow rules, stage robots and durable delayed actions for Odoo CRM",
    "version": "18.0.1.0.0",
    "development_status": "Alpha",
    "category": "Sales/CRM",
    "website": "https://github.com/crm-workflow-automation/crm_workflow_automation",
    "author": "CRM Workflow Automation contributors",
    "maintainers": [],
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": ["crm", "mail"],
    "data": [
        "security/crm_workflow_automation_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/crm_workflow_action_views.xml",
        "views/crm_workflow_condition_views.xml",
        "views/crm_workflow_rule_views.xml",
        "views/crm_workflow_run_views.xml",
        "views/crm_workflow_job_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_workflow_automation_menus.xml",
    ],
    "demo": ["demo/crm_workflow_rule_demo.xml"],
}
