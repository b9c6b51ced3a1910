import logging

from odoo import http

from . import controllers
from . import models
from . import wizard

_logger = logging.getLogger(__name__)


def post_load():
    """Reads every add-on's manifest now, in this one thread, before a browser
    asks for anything: else the first static files requested in parallel make
    Odoo's HTTP threads read them all at once (``root.statics``), which
    CPython 3.11.0 to 3.11.7 cannot do safely (gh-106905: "SystemError: AST
    constructor recursion depth mismatch", an error 500 on the web client's
    assets). Odoo keeps both for the life of the process (``statics`` is a
    lazy property, manifests are in an lru_cache). Odoo calls this when it
    first imports the add-on: in the main thread, before any test, when the
    server preloads its database (``-d``, as make test-odoo and make demo do)."""
    try:
        statics = http.root.statics
    except Exception:
        # a broken manifest of another add-on: Odoo reports it when it needs it
        _logger.warning("Could not read the add-ons' manifests ahead", exc_info=True)
    else:
        _logger.debug(
            "Manifests read ahead: %d add-ons with static files", len(statics)
        )


def uninstall_hook(env):
    """The workers' heartbeat table is plain SQL (crm.workflow.job's init):
    Odoo drops only the tables of models. The "Automation" actions bound to
    the models with rules were made by code, without an XML id: removed here."""
    env.cr.execute("DROP TABLE IF EXISTS crm_workflow_worker_heartbeat")
    env["ir.actions.act_window"].sudo().search(
        [("res_model", "=", "crm.workflow.run"), ("binding_model_id", "!=", False)]
    ).unlink()
