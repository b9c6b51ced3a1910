# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Action types as plug-ins: the set-stage target is ``target_stage_id`` (the
stage robots' ``stage_id`` is another field), and conditions and actions hold
their record type in a plain ``model_id``, filled here from their rule."""

from odoo.tools import SQL, sql


def migrate(cr, version):
    if sql.column_exists(cr, "crm_workflow_action", "stage_id") and not (
        sql.column_exists(cr, "crm_workflow_action", "target_stage_id")
    ):
        sql.rename_column(cr, "crm_workflow_action", "stage_id", "target_stage_id")
        cr.execute(
            "UPDATE ir_model_fields SET name = 'target_stage_id'"
            " WHERE model = 'crm.workflow.action' AND name = 'stage_id'"
        )
        cr.execute(
            "UPDATE ir_model_data SET name = %s WHERE module = %s AND name = %s",
            [
                "field_crm_workflow_action__target_stage_id",
                "crm_workflow_automation",
                "field_crm_workflow_action__stage_id",
            ],
        )
    for table, join in (
        ("crm_workflow_condition", SQL("t.rule_id")),
        (
            "crm_workflow_action",
            SQL(
                "(SELECT rule_id FROM crm_workflow_condition c"
                " WHERE c.id = t.condition_id)"
            ),
        ),
    ):
        if not sql.column_exists(cr, table, "model_id"):
            sql.create_column(cr, table, "model_id", "int4")
        cr.execute(
            SQL(
                "UPDATE %s t SET model_id = r.model_id FROM crm_workflow_rule r"
                " WHERE r.id = %s AND t.model_id IS NULL",
                SQL.identifier(table),
                join,
            )
        )
