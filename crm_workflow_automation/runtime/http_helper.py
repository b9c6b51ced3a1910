# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``http`` in a function, and what a function may return as JSON."""

import time
from urllib.parse import urlsplit

import requests

from odoo import models
from odoo.exceptions import UserError

from .webhook_transport import blocked_address, guarded_session

HTTP_TIMEOUT = 10.0


class HttpHelper:
    """``http`` in a function: requests through the webhooks' SSRF guard
    (internal addresses only for allow-listed hosts), with a timeout that
    never exceeds what is left of the time budget."""

    def __init__(self, function, deadline):
        self._function = function
        self._deadline = deadline

    def _request(self, method, url, json_body=None, headers=None, params=None):
        host = urlsplit(url or "").hostname
        if urlsplit(url or "").scheme not in ("http", "https") or not host:
            raise UserError(
                self._function.env._(
                    "http: the URL must start with http:// or https://."
                )
            )
        allowed = self._function.env["crm.workflow.action"]._webhook_host_allowed(host)
        timeout = max(0.1, min(HTTP_TIMEOUT, self._deadline - time.monotonic()))
        with guarded_session(allow_internal=allowed) as session:
            try:
                response = session.request(
                    method,
                    url,
                    json=json_body,
                    headers=headers or None,
                    params=params,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as e:
                address = blocked_address(e)
                if address:
                    raise UserError(
                        self._function.env._(
                            "http: the URL points to an internal address "
                            "(%(address)s); ask a Settings administrator to allow "
                            "the host “%(host)s”.",
                            address=address,
                            host=host,
                        )
                    ) from None
                raise UserError(
                    self._function.env._("http: %(error)s", error=e)
                ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        return {
            "status": response.status_code,
            "headers": dict(response.headers),
            "json": body,
            "text": response.text,
        }

    def get(self, url, params=None, headers=None):
        return self._request("GET", url, params=params, headers=headers)

    def post(self, url, json=None, headers=None):  # as requests names it
        return self._request("POST", url, json_body=json, headers=headers)

    def put(self, url, json=None, headers=None):
        return self._request("PUT", url, json_body=json, headers=headers)

    def delete(self, url, headers=None):
        return self._request("DELETE", url, headers=headers)


def json_default(value):
    """JSON for what a function may return: records as ids, dates as ISO."""
    if isinstance(value, models.BaseModel):
        return value.ids
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
