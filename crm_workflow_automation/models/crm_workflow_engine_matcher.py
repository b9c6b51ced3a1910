# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The matcher: which of an event's records each rule runs for, with SQL
searches over the whole batch (a prefilter for all rules, then each rule's
conditions), never record by record. A small batch (a form's save) is
matched in memory on the cached records instead, when every condition
compiles into a predicate that answers as the SQL would
(``runtime/predicate.py``)."""

from odoo import models
from odoo.exceptions import MissingError
from odoo.osv import expression

from .crm_workflow_engine import _MISSING, _cache_values, _chain

# Up to this many records, conditions are evaluated on the cached records;
# beyond, one SQL search per condition costs less than reading them all.
SMALL_BATCH = 32


class CrmWorkflowEngine(models.AbstractModel):
    _inherit = "crm.workflow.engine"

    def _candidate_ids(self, rule, event, watched=None, trigger=None):
        """The event's records that the rule's trigger concerns (``watched``:
        the fields a write must change, None for any; then the trigger type's
        own filter, ``_trigger_filter_<type>``), minus those it is already
        running for: the loop guard, its own effects never fire it again.
        ``trigger``: the rule's type as the index knows it, so that a rule
        the event does not concern is never read."""
        ids = event.ids
        if event.kind == "write" and watched is not None:
            changed = set()
            for fname in watched:
                changed |= event.changed.get(fname, set())
            ids = [rid for rid in ids if rid in changed]
        if ids:
            ids = rule._trigger_filter(event, ids, key=trigger)
        busy = set()
        for frame in _chain(self.env.cr):
            if frame.id == rule.id and frame.model == rule._name:
                busy |= frame.ids
        if busy:
            return [rid for rid in ids if rid not in busy]
        return list(ids)

    def _search_ids(self, model, ids, domain):
        """Ids among ``ids`` that meet ``domain``: one SQL query, as superuser
        and including archived records (a rule sees what the user changed)."""
        if not ids:
            return set()
        Model = self.env[model].sudo().with_context(active_test=False)
        query = Model._search(expression.AND([[("id", "in", list(ids))], domain]))
        # execute_query flushes the fields the query reads
        return {row[0] for row in self.env.execute_query(query.select())}

    def _in_memory(self, model, ids, compiled):
        """[ids meeting each of ``compiled`` (predicate, field names)], read
        from the cached records; None when the batch is too large or some
        criteria compile not (the caller searches in SQL)."""
        if len(ids) > SMALL_BATCH or any(c is None for c in compiled):
            return None
        fnames = sorted({f for __, names in compiled for f in names})
        rows = [{} for __ in ids]
        if fnames:
            Model = self.env[model].sudo().with_context(active_test=False)
            records = Model.browse(ids)
            computed = [f for f in fnames if Model._fields[f].compute]
            try:
                if computed:
                    records._recompute_recordset(computed)
                records.fetch(fnames)
            except MissingError:
                return None
            for fname in fnames:
                values = _cache_values(records, Model._fields[fname])
                for row, value in zip(rows, values, strict=True):
                    row[fname] = value
        hits = []
        for predicate, names in compiled:
            hit = set()
            for rid, row in zip(ids, rows, strict=True):
                if any(row[f] is _MISSING for f in names):
                    continue  # not in the database: the search finds it not
                if predicate(row.__getitem__):
                    hit.add(rid)
            hits.append(hit)
        return hits

    def _match_conditions(self, rule, model, ids, prefilter=None, known=None):
        """[(condition, ids)]: the first matching condition of the rule wins,
        the fallback takes what is left. ``known``: {condition id: ids meeting
        it}, already searched (the prefilter of a single condition)."""
        Model = self.env[model]
        company = rule._company_domain(Model)
        remaining = [rid for rid in ids if prefilter is None or rid in prefilter]
        fallback_pool = list(ids)
        matched = []
        taken = set()
        for condition in rule.condition_ids.filtered(lambda c: not c.is_fallback):
            if not remaining:
                break
            if known and condition.id in known:
                hit = known[condition.id].intersection(remaining)
            else:
                __, whole, compiled = condition._criteria(rule, Model)
                hits = self._in_memory(model, remaining, [compiled])
                if hits is not None:
                    hit = hits[0]
                else:
                    hit = self._search_ids(model, remaining, list(whole))
            if hit:
                matched.append((condition, [rid for rid in remaining if rid in hit]))
                taken |= hit
                remaining = [rid for rid in remaining if rid not in hit]
        fallback = rule.condition_ids.filtered("is_fallback")[:1]
        if fallback:
            rest = [rid for rid in fallback_pool if rid not in taken]
            if company and rest:
                __, whole, compiled = fallback._criteria(rule, Model)
                hits = self._in_memory(model, rest, [compiled])
                hit = (
                    hits[0]
                    if hits is not None
                    else self._search_ids(model, rest, company)
                )
                rest = [rid for rid in rest if rid in hit]
            if rest:
                matched.append((fallback, rest))
        return matched

    def _prefilter(self, model, specs, ids):
        """One query for all rules (``specs``: their RuleSpecs): ids meeting
        at least one condition of at least one rule, so that events matching
        nothing cost a single search (none for a small batch whose criteria
        all compile). None when some rule matches everything (fallback, empty
        criteria)."""
        criteria = self._prefilter_criteria(model, tuple(specs))
        if criteria is None:
            return None
        if not criteria:
            return set()
        ids = list(ids)
        hits = self._in_memory(model, ids, [compiled for __, compiled in criteria])
        if hits is not None:
            return set().union(*hits)
        return self._search_ids(
            model, ids, expression.OR([list(whole) for whole, __ in criteria])
        )

    def _prefilter_criteria(self, model, specs):
        """[(whole criteria, compiled)] of every condition of ``specs``, None
        when one matches everything; kept per registry by the specs
        themselves (their conditions' texts: nothing to invalidate) when no
        criteria depend on the moment."""
        cache = self.env.registry.__dict__.setdefault("_crm_workflow_prefilter", {})
        key = (model, specs)
        if key in cache:
            return cache[key]
        Model = self.env[model]
        Condition = self.env["crm.workflow.condition"].sudo()
        criteria, static = [], True
        for spec in specs:
            for condition in spec.conditions:
                if condition.is_fallback:
                    return None
                text = condition.domain
                domain, whole, compiled = Condition.browse(condition.id)._criteria_of(
                    Model, text, spec.company_id
                )
                if not domain:
                    return None
                static = static and not Condition._of_the_moment(
                    Model, text, spec.company_id
                )
                criteria.append((whole, compiled))
        if static:
            if len(cache) > 1_000:
                cache.clear()
            cache[key] = criteria
        return criteria

    def _already_done(self, rule, ids):
        """Records for which a ``first_match`` rule already ran: kept apart
        from the run log, which the retention purges."""
        return self.env["crm.workflow.rule.done"]._done_ids(rule, ids)

    def _eligible_ids(self, rule, ids, prefilter):
        """Of the rule's candidates ``ids``, those it may run for: minus those
        that met no criteria of any rule (``prefilter``, None when unknown),
        minus, for ``first_match`` rules, those it already ran for. (Asked
        just before the rule runs: an earlier rule may have run it.)"""
        if prefilter is not None:
            ids = [rid for rid in ids if rid in prefilter]
        if ids and rule.repeat_mode == "first_match":
            done = self._already_done(rule, ids)
            ids = [rid for rid in ids if rid not in done]
        return ids
