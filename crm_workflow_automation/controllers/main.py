# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import re

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..exceptions import FunctionError
from ..runtime.http_helper import json_default

_logger = logging.getLogger(__name__)

BEARER = re.compile(r"^bearer\s+(\S+)$", re.IGNORECASE)


def json_answer(status, payload):
    body = json.dumps(payload, default=json_default, ensure_ascii=False)
    return request.make_response(
        body,
        headers=[("Content-Type", "application/json; charset=utf-8")],
        status=status,
    )


def json_error(status, code, message):
    return json_answer(status, {"error": {"code": code, "message": message}})


def method_not_allowed(env):
    """The answer to anything but a POST: the routes accept every method so
    that this one is JSON too (Odoo's own 405 is an HTML page)."""
    response = json_error(
        405, "method_not_allowed", env._("Use POST, with a JSON body.")
    )
    response.headers["Allow"] = "POST"
    return response


def not_json(env):
    """A 415 answer when the body is declared as something else than JSON (a
    form would be parsed by Odoo and its values lost to us), else None. A body
    without a content type is read as JSON."""
    mimetype = request.httprequest.mimetype
    if not mimetype or mimetype == "application/json" or mimetype.endswith("+json"):
        return None
    return json_error(
        415,
        "unsupported_media_type",
        env._(
            "Send the body as JSON, with the header Content-Type: "
            "application/json (received: %(type)s).",
            type=mimetype,
        ),
    )


def api_key_user(env):
    """The id of the user whose Odoo API key is in the Authorization header,
    or None. The key is checked as Odoo's own bearer authentication does; it
    is neither stored nor logged."""
    header = request.httprequest.headers.get("Authorization") or ""
    match = BEARER.match(header.strip())
    if not match:
        return None
    return env["res.users.apikeys"]._check_credentials(scope="rpc", key=match[1])


TOKEN_IN_PATH = re.compile(r"(/crm_workflow/trigger/)[^\s/?\"]+")


def refuse_unless_json_post(env):
    """The answer to a call both routes refuse (not a POST, or a body that is
    not JSON), else None."""
    if request.httprequest.method != "POST":
        return method_not_allowed(env)
    return not_json(env)


class _HideTriggerToken(logging.Filter):
    """The token is the webhook's secret: the access log shows it masked."""

    def filter(self, record):
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            if "/crm_workflow/trigger/" in args[0]:
                record.args = (TOKEN_IN_PATH.sub(r"\1***", args[0]), *args[1:])
        elif isinstance(record.msg, str) and "/crm_workflow/trigger/" in record.msg:
            record.msg = TOKEN_IN_PATH.sub(r"\1***", record.msg)
        return True


logging.getLogger("werkzeug").addFilter(_HideTriggerToken())


class CrmWorkflowTriggerController(http.Controller):
    @http.route(
        "/crm_workflow/trigger/<string:token>",
        type="http",
        auth="public",
        csrf=False,
        save_session=False,
    )
    def call_trigger(self, token, **kwargs):
        """An incoming webhook moves the opportunity it names to the
        trigger's stage. Always a JSON answer, never an HTML page."""
        env = request.env
        refused = refuse_unless_json_post(env)
        if refused:
            return refused
        Trigger = env["crm.workflow.trigger"].sudo()
        headers = request.httprequest.headers
        try:
            with env.cr.savepoint():
                status, body = Trigger._handle_webhook(
                    token,
                    request.httprequest.get_data(),
                    delivery_id=headers.get("Idempotency-Key")
                    or headers.get("Webhook-Id"),
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # Odoo retries the request
        except Exception:
            # a fault of ours: logged with its traceback, answered in JSON
            _logger.exception("Webhook trigger call failed")
            status, body = (
                500,
                {
                    "status": "error",
                    "message": env._("The call failed on the server; it was logged."),
                },
            )
        return request.make_json_response(body, status=status)


class CrmWorkflowFunctionController(http.Controller):
    @http.route(
        "/crm_workflow/function/<string:api_name>",
        type="http",
        auth="public",
        csrf=False,
        save_session=False,
    )
    def call_function(self, api_name, **kwargs):
        """Call a function over HTTP: a JSON object of arguments in, JSON out,
        always (never an HTML error page)."""
        env = request.env
        refused = refuse_unless_json_post(env)
        if refused:
            return refused
        uid = api_key_user(env)
        if not uid:
            return json_error(
                401,
                "unauthorized",
                env._("Send an Odoo API key: Authorization: Bearer <key>."),
            )
        env = env(user=uid)
        function = (
            env["crm.workflow.function"]
            .sudo()
            .search([("api_name", "=", api_name), ("active", "=", True)], limit=1)
        )
        if not function:
            return json_error(
                404, "not_found", env._("No active function “%(name)s”.", name=api_name)
            )
        function = function.with_env(env)
        if not function._may_run():
            return json_error(
                403,
                "forbidden",
                env._(
                    "You are not allowed to run the function “%(name)s”.", name=api_name
                ),
            )
        try:
            raw = json.loads(request.httprequest.get_data() or b"{}")
        except ValueError as e:
            return json_error(
                400,
                "bad_request",
                env._("The body is not valid JSON: %(error)s", error=e),
            )
        try:
            result = function._call(None, raw, caller="http", own_transaction=True)
        except FunctionError as e:
            if e.kind == "timeout":
                return json_error(408, "timeout", str(e))
            return json_error(500, "function_error", str(e))
        except AccessError as e:
            return json_error(403, "forbidden", str(e))
        except UserError as e:  # the arguments
            return json_error(400, "bad_argument", str(e))
        return json_answer(200, {"result": result})
