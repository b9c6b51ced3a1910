# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "CRM Workflow Automation: Phone Calls",
    "summary": "Workflow rules and stage triggers on calls received, made, "
    "missed, scheduled and held",
    "version": "18.0.1.0.0",
    "development_status": "Alpha",
    "category": "Sales/CRM",
    "website": "https://github.com/crm-workflow-automation/crm_workflow_automation",
    "author": "CRM Workflow Automation contributors",
    "maintainers": [],
    "license": "AGPL-3",
    "application": False,
    "installable": True,
    "depends": ["crm_workflow_automation", "crm_phonecall"],
    "demo": ["demo/crm_workflow_phonecall_demo.xml"],
}
