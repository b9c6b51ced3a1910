# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The executor's isolation: a batch runs in a savepoint; when it fails, record
by record, so that one bad record neither stops the batch nor leaves half of
its effects, and the user's own edit is kept."""

import contextlib
import logging

from odoo import models

_logger = logging.getLogger(__name__)


class CrmWorkflowEngine(models.AbstractModel):
    _inherit = "crm.workflow.engine"

    def _one_savepoint(self, rules):
        """Whether the rules may share one savepoint: every instant action of
        theirs keeps its effects in the database (a replay after a rollback
        does what one run does) and none refuses the change (``block``)."""
        for rule in rules:
            if rule.on_error == "block":
                return False
            for action in rule.condition_ids.action_ids:
                if not (action._plans_only() or action._effects_in_database()):
                    return False
        return True

    def _run_isolated(self, records, func):
        """Run ``func(records)`` in a savepoint; when it fails, run it record by
        record, each in its own savepoint, so that one bad record neither stops
        the batch nor leaves half of its effects. Returns (done ids, {id: error})."""
        try:
            # The batch's try does not flush the pending edit first: the
            # savepoint's one flush writes the user's values and the actions'
            # together (one UPDATE per row instead of two); a failure puts the
            # pending values back, so the edit is kept as before.
            with self._savepoint(flush=False):
                func(records)
            return list(records._ids), {}
        except Exception as e:  # isolate, log and go on (on_error = log)
            # The pending edit is back in the cache: write it now, outside any
            # savepoint, so that an error of the user's own values is theirs.
            self.env.flush_all()
            if len(records) == 1:
                _logger.info("workflow action failed on %s: %s", records, e)
                return [], {records.id: e}
        done, failures = [], {}
        for record in records.browse(records._ids):
            try:
                with self._savepoint():
                    func(record)
                done.append(record.id)
            except Exception as e:
                _logger.info("workflow action failed on %s: %s", record, e)
                failures[record.id] = e
        return done, failures

    @contextlib.contextmanager
    def _savepoint(self, flush=True):
        """A savepoint that flushes the ORM but not the pre-commit hooks: Odoo's
        own ``cr.savepoint()`` runs them, which would post the mail tracking of
        the whole transaction (a message per record) in the middle of it. On
        failure the ORM cache is dropped, the pre-commit data (the user's own
        tracking) is kept. With ``flush=False`` the pending (not yet flushed)
        values are not written before the savepoint but kept aside and put
        back in the cache on failure."""
        env = self.env
        pending = None
        if flush:
            env.flush_all()
        else:
            pending = self._pending_snapshot()
            if pending is None:
                env.flush_all()
        try:
            with env.cr.savepoint(flush=False):
                yield
                env.flush_all()
        except Exception:
            env.transaction.clear()
            if pending:
                self._pending_restore(pending)
            raise

    def _pending_snapshot(self):
        """The transaction's unflushed values and pending recomputations, to
        put back after a rollback to a savepoint taken before they were
        flushed; None when some of them cannot be copied safely (values kept
        per context or per language): the caller flushes instead."""
        transaction = self.env.transaction
        cache = transaction.cache
        depends_context = self.env.registry.field_depends_context
        dirty = {}
        for field, ids in cache._dirty.items():
            if not ids:
                continue
            if field in depends_context or field.translate:
                return None
            values = cache._data.get(field, {})
            dirty[field] = {rid: values[rid] for rid in ids if rid in values}
        tocompute = {
            field: list(ids) for field, ids in transaction.tocompute.items() if ids
        }
        return dirty, tocompute

    def _pending_restore(self, pending):
        dirty, tocompute = pending
        transaction = self.env.transaction
        cache = transaction.cache
        for field, values in dirty.items():
            cache._data[field].update(values)
            cache._dirty[field].update(values)
        for field, ids in tocompute.items():
            transaction.tocompute[field].update(ids)
