# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one path of every event: ORM hook -> Event -> matcher -> plan ->
executor (instant) or job (scheduled) -> run log.

The hook is installed once per registry on every model with a chatter, and
costs a dictionary lookup when the model has no active rule: rule changes only
clear a registry cache (signalled to the other workers), they never reload the
registry as base_automation does. The matcher, the executor's savepoints, the
run log's rows and stage automation are in the crm_workflow_engine_*.py files
that extend this model.
"""

import contextlib
import logging
import threading
import time
from collections import defaultdict
from typing import NamedTuple

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..runtime.event import Event, Run

_logger = logging.getLogger(__name__)

_MISSING = object()
PATCHED = ("create", "write", "unlink", "message_post", "_compute_field_value")


class ChainFrame(NamedTuple):
    """One link of the loop guard's chain: a rule, robot or trigger running
    its actions for some records."""

    model: str  # crm.workflow.rule, crm.workflow.robot or crm.workflow.trigger
    id: int
    name: str
    ids: frozenset


class WritePlan(NamedTuple):
    """What the write hook decided before the write: the rules the write may
    fire, and the old values of the fields they watch."""

    write_specs: list  # RuleSpecs of the on-write rules
    date_specs: list  # RuleSpecs of the date rules whose date may change
    fnames: list  # the fields to compare after the write
    old: dict  # {field name: values before the write, aligned on the records}


# The chain of rules, robots and triggers running in this thread, per cursor
# (pushed and popped by ``_on_chain``): a rule's own effects do not fire it
# again for the same records; chains across rules stop at a depth.
_local = threading.local()


def _chain(cr):
    """The loop guard's chain of ``cr``, outermost first."""
    chains = getattr(_local, "chains", None)
    return chains.get(id(cr), ()) if chains else ()


@contextlib.contextmanager
def _saving(records):
    """Mark the model as being created or written by our hook on this cursor."""
    key = (id(records.env.cr), records._name)
    saving = getattr(_local, "saving", None)
    if saving is None:
        saving = _local.saving = defaultdict(int)
    saving[key] += 1
    try:
        yield
    finally:
        saving[key] -= 1
        if not saving[key]:
            del saving[key]


def _is_saving(records):
    saving = getattr(_local, "saving", None)
    return bool(saving) and (id(records.env.cr), records._name) in saving


def _index(model):
    """The active rules of ``model`` by event, from the registry cache."""
    try:
        Rule = model.env["crm.workflow.rule"]
    except KeyError:  # the add-on is being removed from this registry
        return None
    return Rule._rule_index().get(model._name)


def _cache_values(records, field):
    """Values of ``field`` for ``records`` as the ORM cache holds them (ids
    for relations), aligned on records; x2many values as frozensets."""
    field_cache = records.env.cache._get_field_cache(records, field)
    get = field_cache.get
    if field.type in ("one2many", "many2many"):
        return [frozenset(get(rid) or ()) for rid in records._ids]
    return [get(rid, _MISSING) for rid in records._ids]


def _existing(records, fnames):
    """``records`` that exist, with ``fnames`` (stored, not context-dependent)
    in cache: one query, none when this transaction read them already, where
    ``exists()`` always asks. A record deleted meanwhile is not fetched (the
    snapshot both read), one deleted in this transaction left the cache."""
    records.fetch(fnames)
    field_cache = records.env.cache._get_field_cache(
        records, records._fields[fnames[0]]
    )
    return records.browse([rid for rid in records._ids if rid in field_cache])


def _fetch_wide(records, fnames):
    """``fnames`` of ``records`` in cache, read as a field access reads them:
    with the other prefetchable fields of the records, in the same query.
    The hook reads the watched fields before Odoo's own write, which then
    reads the rest (crm's checks, the mail tracking of every tracked field):
    a narrow fetch first would leave it a query per missing field (figures:
    bench/RESULTS.md, "Figures behind the code")."""
    field = records._fields[fnames[0]]
    if field.prefetch and field.store:
        records._fetch_field(field)
    records.fetch(fnames)


# The patched methods are built in factories: a closure defined in the
# registry loop would see the loop's last ``origin`` (late binding).


def make_create():
    @api.model_create_multi
    def create(self, vals_list, **kw):
        index = _index(self)
        if not index:
            return create.origin(self, vals_list, **kw)
        with _saving(self):
            records = create.origin(self, vals_list, **kw)
        rules = index.rules
        if records and ("create" in rules or "date" in rules or index.stage):
            self.env["crm.workflow.engine"]._on_create(records, index)
        return records

    return create


def make_write():
    def write(self, vals, **kw):
        index = _index(self)
        if (
            not index
            or not self._ids
            or not ("write" in index.rules or "date" in index.rules or index.stage)
        ):
            return write.origin(self, vals, **kw)
        engine = self.env["crm.workflow.engine"]
        with _saving(self):
            plan = engine._write_prepare(self, vals, index)
            stage_plan = engine._stage_prepare(self, vals, index)
            if plan is None and stage_plan is None:
                return write.origin(self, vals, **kw)
            result = write.origin(self, vals, **kw)
            changed = engine._write_changes(self, plan) if plan else None
            stage_changed = engine._stage_changes(self, stage_plan)
        if plan is not None:
            engine._write_finish(self, plan, changed)
        if stage_plan is not None:
            engine._stage_finish(self, stage_plan, stage_changed)
        return result

    return write


def make_compute_field_value():
    """Recomputations caused by edits of other records (the customer's email
    changed, say) change watched computed fields too: they are events of
    their own. Recomputations inside our create or write hook are not: the
    hook itself compares the values."""

    def _compute_field_value(self, field):
        if not field.store:
            return _compute_field_value.origin(self, field)
        index = _index(self)
        watched = index and index.watched_computed
        if not watched or _is_saving(self):
            return _compute_field_value.origin(self, field)
        computed = self.pool.field_computed.get(field, [field])
        fnames = [f.name for f in computed if f.name in watched]
        records = self.browse([rid for rid in self._ids if rid])
        if not fnames or not records:
            return _compute_field_value.origin(self, field)
        engine = self.env["crm.workflow.engine"]
        old = engine._stored_values(records, fnames)
        result = _compute_field_value.origin(self, field)
        engine._on_recompute(records, fnames, old, index)
        return result

    return _compute_field_value


def make_unlink():
    def unlink(self, **kw):
        index = _index(self)
        if not index or not self._ids:
            return unlink.origin(self, **kw)
        engine = self.env["crm.workflow.engine"]
        if "unlink" in index.rules:
            engine._process(
                Event("unlink", self._name, self._ids), index.rules["unlink"]
            )
        ids = list(self._ids)
        result = unlink.origin(self, **kw)
        self.env["crm.workflow.job"]._cancel_for_records(
            self._name, ids, self.env._("The record was deleted.")
        )
        return result

    return unlink


def make_message_post():
    def message_post(self, *args, **kw):
        message = message_post.origin(self, *args, **kw)
        index = _index(self)
        if index and self._ids:
            engine = self.env["crm.workflow.engine"]
            if index.stage or any(
                kind in index.rules for kind in engine._message_event_kinds()
            ):
                engine._on_message(self, message, index)
        return message

    return message_post


PATCH_FACTORIES = {
    "create": make_create,
    "write": make_write,
    "_compute_field_value": make_compute_field_value,
    "unlink": make_unlink,
    "message_post": make_message_post,
}


class CrmWorkflowEngine(models.AbstractModel):
    _name = "crm.workflow.engine"
    _description = "Workflow Automation Engine"

    # ------------------------------------------------------------------
    # ORM hook
    # ------------------------------------------------------------------

    def _register_hook(self):
        """Patch create, write, unlink and message_post of every model with a
        chatter, once per registry; each patch keeps ``origin`` as
        base_automation and auditlog do."""
        res = super()._register_hook()
        thread_cls = self.env.registry.get("mail.thread")
        if thread_cls is None:
            return res

        for model_name, model_cls in self.env.registry.items():
            if (
                model_cls._abstract
                or model_cls._transient
                or model_name.startswith("crm.workflow.")
                or not issubclass(model_cls, thread_cls)
            ):
                continue
            for name, factory in PATCH_FACTORIES.items():
                current = getattr(model_cls, name)
                if getattr(current, "_crm_workflow_patch", False):
                    continue  # already patched in this registry
                method = factory()
                method.origin = current
                method._crm_workflow_patch = True
                setattr(model_cls, name, method)
        return res

    def _unregister_hook(self):
        """Remove the patches (uninstall, and the tests' check that none is left)."""
        for model_cls in self.env.registry.values():
            for name in PATCHED:
                method = model_cls.__dict__.get(name)
                if getattr(method, "_crm_workflow_patch", False):
                    delattr(model_cls, name)
        return super()._unregister_hook()

    # ------------------------------------------------------------------
    # events from the hook
    # ------------------------------------------------------------------

    @api.model
    def _dependents(self, model_name, fname):
        """Stored fields of the same model that a change of ``fname`` may
        recompute (cached on the registry)."""
        cache = self.env.registry.__dict__.setdefault("_crm_workflow_dependents", {})
        key = (model_name, fname)
        if key not in cache:
            Model = self.env[model_name]
            field = Model._fields.get(fname)
            names = set()
            if field is not None:
                for dep in self.env.registry.get_dependent_fields(field):
                    if dep.model_name == model_name and dep.store:
                        names.add(dep.name)
            cache[key] = frozenset(names)
        return cache[key]

    def _write_prepare(self, records, vals, index):
        """Decide, before the write, which rules may fire and snapshot the old
        values of the fields they watch (only those, in one read)."""
        written = set(vals)
        touched = set(written)
        for fname in written:
            touched |= self._dependents(records._name, fname)
        write_specs = [
            spec
            for spec in index.rules.get("write", ())
            if spec.watched is None or spec.watched & touched
        ]
        date_specs = [
            spec for spec in index.rules.get("date", ()) if spec.date_field in touched
        ]
        if not write_specs and not date_specs:
            return None
        fnames = set()
        for spec in write_specs:
            if spec.watched is not None:
                fnames |= spec.watched & touched
        fnames |= {spec.date_field for spec in date_specs}
        fnames = sorted(f for f in fnames if f in records._fields)
        sudo_records = records.sudo().with_prefetch(records._ids)
        old = {}
        if fnames:
            computed = [f for f in fnames if records._fields[f].compute]
            if computed:
                sudo_records._recompute_recordset(computed)
            _fetch_wide(sudo_records, fnames)
            old = {f: _cache_values(sudo_records, records._fields[f]) for f in fnames}
        return WritePlan(write_specs, date_specs, fnames, old)

    def _write_changes(self, records, plan):
        """{field name: ids whose value changed}, read right after the write
        (inside the hook, so that recomputations are ours)."""
        fnames, old = plan.fnames, plan.old
        changed = {}
        if fnames:
            sudo_records = records.sudo().with_prefetch(records._ids)
            computed = [f for f in fnames if records._fields[f].compute]
            if computed:
                sudo_records._recompute_recordset(computed)
            sudo_records.fetch(fnames)
            ids = sudo_records._ids
            for fname in fnames:
                new_values = _cache_values(sudo_records, records._fields[fname])
                old_values = old[fname]
                changed[fname] = {
                    rid
                    for rid, before, after in zip(
                        ids, old_values, new_values, strict=False
                    )
                    if before != after
                }
        return changed

    def _write_finish(self, records, plan, changed):
        for spec in plan.date_specs:
            ids = changed.get(spec.date_field)
            if ids:
                rule = self.env["crm.workflow.rule"].sudo().browse(spec.id)
                rule._schedule_date_rule(records.browse(sorted(ids)).sudo())
        if plan.write_specs:
            event = Event("write", records._name, records._ids, changed=changed)
            self._process(event, plan.write_specs)

    def _stored_values(self, records, fnames):
        """Values of stored computed fields before their recomputation, without
        triggering it: from the cache, else from the database."""
        values = {}
        missing = set()
        for fname in fnames:
            field = records._fields[fname]
            values[fname] = dict(
                zip(records._ids, _cache_values(records, field), strict=True)
            )
            missing.update(rid for rid, v in values[fname].items() if v is _MISSING)
        if missing:
            columns = [f for f in fnames if records._fields[f].column_type]
            if columns:
                query = SQL(
                    "SELECT id, %s FROM %s WHERE id = ANY(%s)",
                    SQL(", ").join(SQL.identifier(f) for f in columns),
                    SQL.identifier(records._table),
                    list(missing),
                )
                self.env.cr.execute(query)
                for row in self.env.cr.fetchall():
                    for fname, raw in zip(columns, row[1:], strict=True):
                        field = records._fields[fname]
                        record = records.browse(row[0])
                        values[fname][row[0]] = field.convert_to_cache(
                            raw, record, validate=False
                        )
        return values

    def _on_recompute(self, records, fnames, old, index):
        changed = {}
        for fname in fnames:
            field = records._fields[fname]
            new = dict(zip(records._ids, _cache_values(records, field), strict=True))
            ids = {
                rid
                for rid, value in new.items()
                if value is not _MISSING and old[fname].get(rid) != value
            }
            if ids:
                changed[fname] = ids
        if not changed:
            return
        specs = [
            spec
            for spec in index.rules.get("write", ())
            if spec.watched is not None and spec.watched & set(changed)
        ]
        if specs:
            ids = set().union(*changed.values())
            event = Event(
                "write", records._name, [r for r in records._ids if r in ids], changed
            )
            self._process(event, specs)

    def _on_create(self, records, index):
        for spec in index.rules.get("date", ()):
            rule = self.env["crm.workflow.rule"].sudo().browse(spec.id)
            rule._schedule_date_rule(records.sudo(), cancel_previous=False)
        if "create" in index.rules:
            event = Event("create", records._name, records._ids)
            self._process(event, index.rules["create"])
        if index.stage:
            self._stage_created(records, index.stage)

    @api.model
    def _message_event_kinds(self):
        """The event kinds whose source is a message posted on a chatter: a
        model with a running rule of one of them has its posts looked at. A
        trigger type that watches messages itself adds its kind."""
        return ("message_received", "message_sent")

    def _on_message(self, records, message, index):
        """Incoming and outgoing emails (``_message_kind``)."""
        kind = self._message_kind(message)
        if kind:
            self._emit(kind, records._name, records._ids, {"message_id": message.id})

    @api.model
    def _message_kind(self, message):
        """The kind of a message posted on a chatter: "message_received",
        "message_sent", or None for a note or a notification. As
        base_automation tells them apart: no author or a customer author is an
        email received."""
        message_sudo = message.sudo().with_context(active_test=False)
        if message_sudo.is_internal or message_sudo.subtype_id.internal:
            return None
        if message_sudo.message_type in (
            "notification",
            "auto_comment",
            "user_notification",
        ):
            return None
        received = not message_sudo.author_id or message_sudo.author_id.partner_share
        return "message_received" if received else "message_sent"

    @api.model
    def _on_activity_done(self, done):
        """``done``: [(res_model, res_id, activity type id)] of the activities
        just marked done."""
        by_model = defaultdict(lambda: defaultdict(set))
        for res_model, res_id, type_id in done:
            if res_model and res_id:
                by_model[res_model][res_id].add(type_id)
        for res_model, types_by_id in by_model.items():
            if not self._listens("activity_done", res_model):
                continue
            records = self.env[res_model].browse(sorted(types_by_id)).exists()
            if not records:
                continue
            detail = {"activity_types": {rid: types_by_id[rid] for rid in records._ids}}
            self._emit("activity_done", res_model, records._ids, detail)

    @api.model
    def _listens(self, kind, model):
        """Whether a running rule or an active stage trigger of ``model``
        waits for events of ``kind``: ask before computing an event."""
        index = self.env["crm.workflow.rule"]._rule_index().get(model)
        return bool(index and (kind in index.rules or index.trigger_ids(kind)))

    @api.model
    def _emit(self, kind, model, ids, detail=None):
        """The one entry for an event that a trigger type's own source tells
        (an email, a done activity, a meeting, a call): the running rules whose
        type listens to ``kind`` run for the records ``ids`` of ``model``, then
        the stage triggers of that kind move them. ``detail``: what the types'
        filters read (which activity, which meeting)."""
        index = self.env["crm.workflow.rule"]._rule_index().get(model)
        if not index or not ids:
            return
        if kind in index.rules:
            self._process(Event(kind, model, ids, detail=detail), index.rules[kind])
        if index.trigger_ids(kind):
            self._fire_triggers(kind, model, ids, detail=detail)

    # ------------------------------------------------------------------
    # event processing
    # ------------------------------------------------------------------

    def _process(self, event, specs):
        """Match the rules of ``specs`` against the event and run them, in
        rule order."""
        if not specs or not event.ids:
            return
        candidates = self._candidates(event, specs)
        if not candidates:
            return
        # One query tells which records meet any rule's criteria, so that an
        # event that matches nothing costs a single search (none for a small
        # batch, matched in memory), and reads no rule: the index has their
        # conditions.
        prefilter = self._prefilter(
            event.model,
            [spec for spec, __, __ in candidates],
            set().union(*(ids for __, __, ids in candidates)),
        )
        if prefilter is not None and not prefilter:
            return
        candidates = self._running(candidates)
        if not candidates:
            return
        rules = [rule for rule, __ in candidates]
        if len(rules) > 1 and self._one_savepoint(rules):
            # One savepoint (and one flush) for all the rules of the event;
            # after a failure, everything again with a savepoint per rule.
            try:
                with self._savepoint(flush=False):
                    log, failures = self._run_rules(
                        event, candidates, prefilter, isolate=False
                    )
            except Exception:  # replayed rule by rule below
                log, failures = self._run_rules(event, candidates, prefilter)
        else:
            log, failures = self._run_rules(event, candidates, prefilter)
        self.env["crm.workflow.run"]._log_bulk(log)
        for rule, errors in failures:
            self._count_failures(rule, errors, event)

    def _candidates(self, event, specs):
        """[(spec, rule, ids)] of the rules of ``specs``, in order, with the
        event's records each may run for (``_candidate_ids``); rules with no
        record left out. The rules are not read here (``_running``)."""
        Rule = self.env["crm.workflow.rule"].sudo().with_context(active_test=False)
        candidates = []
        # one recordset: the rules that run are read in one query
        rules = Rule.browse([spec.id for spec in specs])
        for spec, rule in zip(specs, rules, strict=True):
            ids = self._candidate_ids(rule, event, spec.watched, spec.trigger)
            if ids:
                candidates.append((spec, rule, ids))
        return candidates

    def _running(self, candidates):
        """[(rule, ids)] of ``candidates`` whose rule still exists and runs
        (the index may predate a change of another transaction)."""
        if not candidates:
            return []
        rules = candidates[0][1].browse([rule.id for __, rule, __ in candidates])
        existing = set(_existing(rules, ["active", "paused"])._ids)
        return [
            (rule, ids)
            for __, rule, ids in candidates
            if rule.id in existing and rule.active and not rule.paused
        ]

    def _run_rules(self, event, candidates, prefilter, isolate=True):
        """Match and run the rules of ``candidates`` ([(rule, ids)]) in order.
        ``prefilter``: the ids that met some rule's criteria before the first
        rule ran (None: unknown). With ``isolate``, each rule's batch runs in
        its own savepoint (record by record after a failure); without, a
        failure is raised to the caller, who holds one savepoint for them all.
        Returns (log rows, [(rule, {record id: error})] of each condition
        that ran)."""
        log, failures = [], []
        depth = len(_chain(self.env.cr))
        max_depth = self._max_depth()
        # With one rule of one condition, the prefilter is that condition's
        # own search: the matcher reuses it instead of asking again.
        conditions = [c for rule, __ in candidates for c in rule.condition_ids]
        known = {}
        if prefilter is not None and len(conditions) == 1:
            known[conditions[0].id] = prefilter
        for rule, ids in candidates:
            ids = self._eligible_ids(rule, ids, prefilter)
            branches = (
                self._match_conditions(rule, event.model, ids, known=known)
                if ids
                else []
            )
            if not branches:
                continue
            if depth >= max_depth:
                log.extend(self._loop_stopped_rows(rule, branches, event))
                continue
            for condition, cids in branches:
                rows, errors = self._run_branch(
                    rule, condition, event, cids, isolate=isolate
                )
                log.extend(rows)
                failures.append((rule, errors))
            # later rules must see what this one changed: search again
            prefilter, known = None, {}
        return log, failures

    def _count_failures(self, rule, errors, event):
        """The circuit breaker of the instant path (a job's runner counts its
        own), for a batch of one condition: failures in a row pause the rule,
        a batch without failure resets them."""
        if errors:
            first = next(iter(errors.values()))
            rule._register_failures(len(errors), reason=str(first))
            rule._notify_responsible(
                self.env._(
                    "The workflow rule failed on %(count)s record(s) of %(model)s; "
                    "the "
                    "users' changes were kept. First error: %(error)s",
                    count=len(errors),
                    model=event.model,
                    error=first,
                )
            )
        elif rule.failure_streak:
            rule._register_successes()

    def _loop_stopped_rows(self, rule, branches, event):
        chain = _chain(self.env.cr)
        depth = len(chain)
        names = " → ".join([frame.name for frame in chain] + [rule.name])
        error = self.env._(
            "Stopped by the loop guard after %(depth)s chained rules: %(chain)s",
            depth=depth,
            chain=names,
        )
        rows = []
        for condition, cids in branches:
            rows.extend(
                self._log_rows(
                    rule,
                    condition,
                    event.model,
                    cids,
                    "loop_stopped",
                    event=event,
                    depth=depth,
                    error=error,
                )
            )
        return rows

    @api.model
    def _max_depth(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.max_chain_depth", 5)
        )

    @contextlib.contextmanager
    def _on_chain(self, owner, ids):
        """Put ``owner`` (a rule, robot or trigger; none when empty) on the loop
        guard's chain while it runs for ``ids``."""
        if not owner:
            yield
            return
        chains = getattr(_local, "chains", None)
        if chains is None:
            chains = _local.chains = {}
        key = id(self.env.cr)
        chain = chains.setdefault(key, [])
        chain.append(ChainFrame(owner._name, owner.id, owner.name, frozenset(ids)))
        try:
            yield
        finally:
            chain.pop()
            if not chain:
                del chains[key]

    def _run_branch(self, rule, condition, event, ids, isolate=True):
        """Run a matched condition's instant actions now and schedule the
        others, for a batch of records of the event's user. Without
        ``isolate`` (the caller's savepoint holds all the rules), or for a
        rule that refuses the change on error (``block``), a failure is
        raised. Returns (log rows, {record id: error})."""
        records = self.env[event.model].browse(ids)
        actions = condition.action_ids.sorted(lambda a: (a.sequence, a.id))
        depth = len(_chain(self.env.cr))
        run = Run(rule, condition, event=event, depth=depth)

        def func(batch):
            run.outcomes.append((batch._ids, self._execute_branch(actions, batch, run)))

        started = time.perf_counter()
        with self._on_chain(rule, ids):
            if isolate and rule.on_error != "block":
                done, failures = self._run_isolated(records, func)
            else:
                try:
                    func(records)
                except Exception as e:
                    if rule.on_error != "block":
                        raise
                    raise UserError(
                        self.env._(
                            "The workflow rule “%(rule)s” refused this change: "
                            "%(error)s",
                            rule=rule.name,
                            error=e,
                        )
                    ) from e
                done, failures = list(ids), {}
        elapsed = (time.perf_counter() - started) / max(len(ids), 1)
        outcome = self._outcomes(run, done)
        self._post_run_notes(rule, actions, records.browse(done), run)
        rows = self._log_rows(
            rule,
            condition,
            event.model,
            done,
            "done",
            event=event,
            depth=depth,
            duration=elapsed,
            outcome=outcome,
        )
        for rid, error in failures.items():
            rows.extend(
                self._log_rows(
                    rule,
                    condition,
                    event.model,
                    [rid],
                    "failed",
                    event=event,
                    depth=depth,
                    duration=elapsed,
                    error=str(error),
                )
            )
        return rows + run.log, failures

    def _execute_branch(self, actions, records, run):
        """Instant actions now, one batched call each; scheduled actions and
        the actions that leave the database become jobs. Returns what each
        action did: [(action id, None)] for an action done, (action id, job
        values) for one scheduled."""
        Job = self.env["crm.workflow.job"]
        jobs, outcomes = [], []
        for action in actions:
            if not action._plans_only():
                action._execute(records, run)
                outcomes.append((action.id, None))
                continue
            values = Job._prepare_action_jobs(action, records, run)
            jobs.extend(values)
            outcomes.append((action.id, values))
        if jobs:
            ids = Job._enqueue(jobs)
            if len(ids) == len(jobs):  # none was already queued: same order
                for vals, job_id in zip(jobs, ids, strict=True):
                    vals["id"] = job_id
        return outcomes

    # ------------------------------------------------------------------
    # entry points for jobs (date rules)
    # ------------------------------------------------------------------

    def _run_rule_now(self, rule, records, kind="date", detail=None):
        """Run the date rule ``rule`` for ``records`` now (its jobs are due),
        through the same eligibility step as any event: not for the records
        it is already running for, once only for a ``first_match`` rule, and
        stopped at the loop guard's depth. Returns (ids evaluated without
        error, {id: error}); a record the rule does not run for is done."""
        event = Event(kind, records._name, records._ids, detail=detail)
        ids = self._candidate_ids(rule, event)
        log, failures = self._run_rules(event, [(rule, ids)] if ids else [], None)
        self.env["crm.workflow.run"]._log_bulk(log)
        errors = {rid: e for __, branch in failures for rid, e in branch.items()}
        return [rid for rid in records._ids if rid not in errors], errors
