# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exceptions that tell the job runner whether a failure may pass, and a
function's failure."""

from odoo.exceptions import UserError


class RetryableJobError(UserError):
    """A failure that may pass (timeout, receiver down, HTTP 5xx/408/429): the
    job is retried with backoff. ``retry_after`` (seconds) overrides the
    backoff when the receiver said when to come back."""

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentJobError(UserError):
    """A failure that will not pass (HTTP 4xx, bad configuration): the job is
    dead at once."""


class FunctionError(UserError):
    """A function failed: ``kind`` is "timeout", "memory" or "error", ``line``
    the line of the code where it happened (if known)."""

    def __init__(self, message, kind="error", line=None):
        super().__init__(message)
        self.kind = kind
        self.line = line
