# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

MANAGER = "crm_workflow_automation.group_workflow_manager"


class CrmWorkflowRecordAccessMixin(models.AbstractModel):
    """Runs and jobs are about a record (``res_model``, ``res_id``): a Workflow
    User sees those of the records they can read, as mail.message does for
    messages; Workflow Managers see them all."""

    _name = "crm.workflow.record.access.mixin"
    _description = "Workflow record access"

    record_name = fields.Char(compute="_compute_record_name", string="Record")

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        by_model = defaultdict(set)
        for row in self:
            if row.res_model in self.env and row.res_id:
                by_model[row.res_model].add(row.res_id)
        names = {}
        for model, ids in by_model.items():
            for record in self.env[model].sudo().browse(ids).exists():
                names[(model, record.id)] = record.display_name
        for row in self:
            if not row.res_model:
                row.record_name = False  # a call of a function on no record
                continue
            row.record_name = names.get((row.res_model, row.res_id)) or self.env._(
                "%(model)s #%(id)s (deleted)", model=row.res_model, id=row.res_id
            )

    def _sees_all(self):
        return self.env.su or self.env.user.has_group(MANAGER)

    def _readable_ids(self, rows):
        """Ids of ``rows`` [(id, res_model, res_id)] whose record is readable."""
        by_model = defaultdict(list)
        for rid, res_model, res_id in rows:
            by_model[res_model].append((rid, res_id))
        allowed = set()
        for res_model, pairs in by_model.items():
            if res_model not in self.env:
                continue
            Model = self.env[res_model].with_context(active_test=False)
            if not Model.has_access("read"):
                continue
            readable = set(
                Model.browse({r for __, r in pairs})
                .exists()
                ._filtered_access("read")
                .ids
            )
            allowed.update(rid for rid, res_id in pairs if res_id in readable)
        return allowed

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if self._sees_all():
            return super()._search(
                domain, offset=offset, limit=limit, order=order, **kwargs
            )
        query = super()._search(domain, order=order, **kwargs)
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(self._table, "id"),
                SQL.identifier(self._table, "res_model"),
                SQL.identifier(self._table, "res_id"),
            )
        )
        allowed = self._readable_ids(rows)
        ids = [row[0] for row in rows if row[0] in allowed]
        ids = ids[offset:] if limit is None else ids[offset : offset + limit]
        return self.browse(ids)._as_query(ordered=True)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or operation != "read" or self._sees_all() or not self._ids:
            return result
        self.env.cr.execute(SQL_ROWS.format(table=self._table), [list(self._ids)])
        rows = self.env.cr.fetchall()
        allowed = self._readable_ids(rows)
        forbidden = self.browse([rid for rid, __, __ in rows if rid not in allowed])
        if not forbidden:
            return None

        def make_error():
            return AccessError(
                self.env._(
                    "You cannot see this automation record: you cannot read the record "
                    "it is about."
                )
            )

        return forbidden, functools.partial(make_error)

    def fetch(self, field_names):
        """Reading rows by id: ``fetch`` finds the ones ``_search`` hides and
        raises the record rules' generic message; the reason is ours to tell."""
        try:
            return super().fetch(field_names)
        except AccessError:
            result = None if self._sees_all() else self._check_access("read")
            if result:
                raise result[1]() from None
            raise


SQL_ROWS = 'SELECT id, res_model, res_id FROM "{table}" WHERE id = ANY(%s)'
