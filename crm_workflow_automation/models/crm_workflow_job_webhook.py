# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook delivery, the webhook type's share of the job: the signed request,
its transport guarded against SSRF, each attempt stored, and Replay."""

import email.utils
import json
import socket
import time
from urllib.parse import urlsplit

import requests
import urllib3

from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Datetime

from ..exceptions import PermanentJobError, RetryableJobError
from ..runtime.retry import DEFAULT_MAX_ATTEMPTS
from ..runtime.webhook_transport import (
    blocked_address,
    guarded_session,
    is_public_address,
)

RESPONSE_EXCERPT = 1000


def retry_after_seconds(value):
    """Seconds in a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0, int(moment.timestamp() - time.time()))


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    def action_replay(self):
        """Send a done webhook again, with the same event id and body."""
        jobs = self.filtered(lambda j: j.state == "done" and j.action_id._replayable())
        if not jobs:
            raise UserError(self.env._("Only delivered webhooks can be replayed."))
        jobs._check_manager()
        for job in jobs.sudo():
            job.write(
                {
                    "state": "pending",
                    "eta": Datetime.now(),
                    "max_attempts": job.attempts + DEFAULT_MAX_ATTEMPTS,
                }
            )
        jobs.sudo()._claim_and_run(jobs.ids)
        return True

    def _webhook_body(self):
        body = dict(self.payload or {}, event_id=self.event_uid)
        return json.dumps(
            body, sort_keys=True, separators=(",", ":"), default=str
        ).encode()

    def _send_webhook(self, attempts=None):
        """One delivery attempt of a webhook job. The attempt is appended to
        ``attempts`` (stored by the runner after the job's savepoint, whatever
        happened) or stored at once."""
        self.ensure_one()
        action = self.action_id.sudo()
        url = action.webhook_url.strip()
        method = action.webhook_method or "POST"
        body = self._webhook_body() if method != "GET" else b""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Odoo-CRM-Workflow-Automation/18.0",
            "X-Webhook-Id": self.event_uid,
            "X-Webhook-Timestamp": timestamp,
        }
        if action.webhook_headers:
            headers.update(json.loads(action.webhook_headers))
        signature = action._webhook_signature(body)
        if signature:
            headers[signature[0]] = signature[1]
        timeout = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.webhook_timeout", 10)
        )
        host = urlsplit(url).hostname or ""
        allowed = action._webhook_host_allowed(host)
        attempt = {
            "job_id": self.id,
            "attempt_no": self.attempts,
            "started_at": Datetime.now(),
            "request_url": url,
            "request_method": method,
        }
        started = time.perf_counter()
        run_attempts = attempts
        if not allowed:
            self._check_send_address(host, attempt, run_attempts)
        try:
            with guarded_session(allow_internal=allowed) as session:
                response = session.request(
                    method,
                    url,
                    data=body or None,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                )
                try:
                    excerpt = (
                        response.raw.read(RESPONSE_EXCERPT, decode_content=True) or b""
                    )
                # urllib3 raises its own errors while the body is read: map them
                # to requests' so that a stalled or cut answer is retried too
                except urllib3.exceptions.ReadTimeoutError as e:
                    raise requests.exceptions.ReadTimeout(e) from e
                except urllib3.exceptions.ProtocolError as e:
                    raise requests.exceptions.ConnectionError(e) from e
                finally:
                    response.close()
        except requests.exceptions.Timeout as e:
            attempt.update(
                duration=time.perf_counter() - started,
                error=self.env._("Timed out after %(seconds)s s.", seconds=timeout),
            )
            self._append_attempt(attempt, run_attempts)
            raise RetryableJobError(attempt["error"]) from e
        except requests.exceptions.ConnectionError as e:
            address = blocked_address(e)
            if address:
                message = self.env._(
                    "Refused: the host resolved to the internal address %(address)s.",
                    address=address,
                )
                attempt.update(duration=time.perf_counter() - started, error=message)
                self._append_attempt(attempt, run_attempts)
                raise PermanentJobError(message) from e
            message = self.env._(
                "Receiver unreachable: %(error)s", error=action._redact(str(e))[:300]
            )
            attempt.update(duration=time.perf_counter() - started, error=message)
            self._append_attempt(attempt, run_attempts)
            raise RetryableJobError(message) from e
        except (requests.exceptions.RequestException, ValueError) as e:
            # e.g. a header value saved before it was checked: the error may
            # quote it, so it is redacted and the traceback is not passed on
            message = self.env._(
                "The request could not be sent: %(error)s",
                error=action._redact(str(e))[:300],
            )
            attempt.update(duration=time.perf_counter() - started, error=message)
            self._append_attempt(attempt, run_attempts)
            raise PermanentJobError(message) from None
        status = response.status_code
        attempt.update(
            duration=time.perf_counter() - started,
            status_code=status,
            # a receiver may echo the request (httpbin does): no credential in it
            response_excerpt=action._redact(excerpt.decode(errors="replace")),
        )
        if 200 <= status < 300:
            self._append_attempt(attempt, run_attempts)
            return
        if 300 <= status < 400:
            reason = self.env._(
                "The receiver answered HTTP %(status)s, a redirect to “%(location)s”: "
                "redirects are not followed (the target could be an internal "
                "address); enter the final URL in the action.",
                status=status,
                location=(response.headers.get("Location") or "")[:200],
            )
        else:
            reason = self.env._("The receiver answered HTTP %(status)s.", status=status)
        attempt["error"] = reason
        self._append_attempt(attempt, run_attempts)
        if status in (408, 429) or status >= 500:
            retry_after = None
            if status in (429, 503):
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            raise RetryableJobError(reason, retry_after=retry_after)
        raise PermanentJobError(reason)

    def _check_send_address(self, host, attempt, run_attempts):
        """The SSRF guard again at send time: DNS may have changed since the
        action was saved."""
        try:
            infos = socket.getaddrinfo(host, None)
        except (OSError, UnicodeError) as e:
            message = self.env._("The host “%(host)s” cannot be resolved.", host=host)
            attempt["error"] = message
            self._append_attempt(attempt, run_attempts)
            raise RetryableJobError(message) from e
        for info in infos:
            if not is_public_address(info[4][0]):
                message = self.env._(
                    "Refused: the host resolved to the internal address %(address)s.",
                    address=info[4][0],
                )
                attempt["error"] = message
                self._append_attempt(attempt, run_attempts)
                raise PermanentJobError(message)
