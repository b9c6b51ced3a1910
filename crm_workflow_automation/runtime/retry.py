# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The retry policy of jobs: which failures may pass, and how long to wait
before the next attempt."""

import random

import psycopg2
import requests
from psycopg2 import errorcodes

from ..exceptions import RetryableJobError

# About 1 min, 5 min, 30 min, 2 h and 12 h between attempts, then dead.
BACKOFF = (60, 300, 1800, 7200, 43200)
DEFAULT_MAX_ATTEMPTS = len(BACKOFF) + 1
PG_RETRYABLE = {
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
}


def backoff_seconds(attempt):
    """Delay before the next attempt after ``attempt`` failed, with ±20% jitter."""
    base = BACKOFF[min(max(attempt, 1), len(BACKOFF)) - 1]
    return int(base * random.uniform(0.8, 1.2))


def is_retryable(error):
    if isinstance(error, RetryableJobError):
        return True
    if isinstance(
        error, requests.exceptions.Timeout | requests.exceptions.ConnectionError
    ):
        return True
    if isinstance(error, psycopg2.OperationalError):
        return getattr(error, "pgcode", None) in PG_RETRYABLE or error.pgcode is None
    return False
