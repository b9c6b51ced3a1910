# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Workflow Automation: HTTP benchmark route",
    "summary": "Bare JSON routes, only for the HTTP benchmarks in bench/",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "author": "CRM Workflow Automation contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["crm_workflow_automation"],
}
