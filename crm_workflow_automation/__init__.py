from . import controllers
from . import models
from . import wizard


def uninstall_hook(env):
    """The workers' heartbeat table is plain SQL (crm.workflow.job's init):
    Odoo drops only the tables of models. The "Automation" actions bound to
    the models with rules were made by code, without an XML id: removed here."""
    env.cr.execute("DROP TABLE IF EXISTS crm_workflow_worker_heartbeat")
    env["ir.actions.act_window"].sudo().search(
        [("res_model", "=", "crm.workflow.run"), ("binding_model_id", "!=", False)]
    ).unlink()
