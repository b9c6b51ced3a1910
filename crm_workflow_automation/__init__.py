from . import controllers
from . import models
from . import wizard


def uninstall_hook(env):
    """The workers' heartbeat table is plain SQL (crm.workflow.job's init):
    Odoo drops only the tables of models."""
    env.cr.execute("DROP TABLE IF EXISTS crm_workflow_worker_heartbeat")
