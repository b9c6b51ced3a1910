# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What happened (``Event``) and the context an action runs in (``Run``):
the two objects that travel the one path of every event, from the ORM hook to
the run log."""

import uuid

from odoo import fields


class Event:
    """What happened, to which records, by whom.

    ``changed`` maps a field name to the ids whose value changed (write
    events); ``kind`` is an ORM event key of ``EVENT_TRIGGERS`` or ``date``.
    """

    __slots__ = (
        "changed",
        "changed_names",
        "detail",
        "ids",
        "kind",
        "model",
        "names",
        "time",
        "uid",
    )

    def __init__(self, kind, model, ids, changed=None, detail=None):
        self.kind = kind
        self.model = model
        self.ids = list(ids)
        self.changed = changed or {}
        self.uid = uuid.uuid4().hex
        self.time = fields.Datetime.now()
        self.detail = detail or {}
        # for the run log, filled once per event: record names, and the
        # changed fields of each record ("stage_id,priority")
        self.names = {}
        self.changed_names = None


class Run:
    """The execution context an action receives: the rule and condition that
    matched, the event, the job when run from the queue, and ``data`` that
    earlier actions of the same run may fill for later ones; ``log`` holds
    run-log rows of its function calls, written with the rule's rows (after
    its savepoint, so a failed call stays in the log); ``outcomes`` what each
    action did, per attempt of the executor: [(ids, [(action id, job values
    or None)])]."""

    __slots__ = (
        "attempts",
        "condition",
        "data",
        "depth",
        "event",
        "job",
        "log",
        "outcomes",
        "rule",
    )

    def __init__(self, rule, condition, event=None, job=None, depth=0):
        self.rule = rule
        self.condition = condition
        self.event = event
        self.job = job
        self.data = {}
        self.attempts = []
        self.log = []
        self.outcomes = []
        self.depth = depth

    @property
    def trigger(self):
        if self.event is not None:
            return self.event.kind
        return "job"

    @property
    def trigger_time(self):
        if self.event is not None:
            return self.event.time
        if self.job is not None:
            return self.job.trigger_time or self.job.eta
        return fields.Datetime.now()
