# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a run leaves behind: the run log's rows (who, what event, each
action's outcome) and the note in the records' chatter."""

import json
from collections import defaultdict

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import MissingError

from .crm_workflow_engine import _MISSING, _cache_values
from .crm_workflow_run import OUTCOME_DONE, OUTCOME_SCHEDULED

# A rule's chatter note goes on the records of an edit of up to this many
# records; a larger batch (an import, a mass edit) has its run log and the
# notification's summary instead: the notes would be about half of the
# engine's own time (bench/RESULTS.md, "Figures behind the code").
NOTE_BATCH_LIMIT = 100


def _json(entries):
    """The ``outcome`` of a run row as COPY loads it into jsonb: compact, or
    None (NULL) when no action has an entry."""
    return json.dumps(entries, separators=(",", ":")) if entries else None


def _plain_names(records):
    """{id: name} read straight from the cache when the model's display name
    is its stored ``_rec_name`` (crm.lead's): computing ``display_name`` sets
    a cache entry per record, a tenth of the run log's cost on a batch of
    5,000 leads. None when the model computes its display name itself, or
    when a name is not in the cache yet."""
    model = type(records)
    fname = model._rec_name
    field = model._fields.get(fname) if fname else None
    if (
        field is None
        or field.type != "char"
        or not field.store
        or field.translate
        or model._compute_display_name is not models.BaseModel._compute_display_name
        or records.pool.field_depends_context[model._fields["display_name"]]
    ):
        return None
    values = _cache_values(records, field)
    if _MISSING in values:
        return None
    return {
        rid: str(value) if value else False
        for rid, value in zip(records._ids, values, strict=True)
    }


class CrmWorkflowEngine(models.AbstractModel):
    _inherit = "crm.workflow.engine"

    def _post_run_notes(self, rule, actions, records, run):
        """A note in the chatter of each record the rule ran on, where a user
        looks first ("Workflow rule “Big Deal Alert” ran: Notify the sales
        managers (2 users notified)"); one batched insert, no notification.
        Only when an action's effect does not show on the record itself (its
        type says so with ``_run_note_<type>``, as notify does): a field
        update shows in the tracking, a task in the activities, and a note per
        record for every rule would bury the chatter and double the cost of a
        batch. Not on batches over ``NOTE_BATCH_LIMIT`` records."""
        if (
            not records
            or len(records) > NOTE_BATCH_LIMIT
            or not any(action._type_hook("run_note") for action in actions)
            or run.trigger == "unlink"
            or not hasattr(records, "_message_log_batch")
            or self.env.context.get("tracking_disable")
        ):
            return
        parts = [action._run_note(records, run) for action in actions]
        parts = [part for part in parts if part]
        text = self.env._("Workflow rule “%(rule)s” ran", rule=rule.name)
        if parts:
            text = self.env._(
                "%(ran)s: %(actions)s", ran=text, actions="; ".join(parts)
            )
        body = Markup("<p>%s</p>") % text
        records._message_log_batch(bodies=dict.fromkeys(records.ids, body))

    def _outcomes(self, run, done):
        """The ``outcome`` column of the records ``done`` (OUTCOME_* in
        crm_workflow_run), as the JSON text COPY loads: one text for all when
        no action was scheduled (serialised once for the whole batch), else
        {id: text}; from the executor's last attempt that ran each record.
        (The row's ``job_id`` stays for the rows of a job's own run.)"""
        if not done or not run.outcomes:
            return None
        if len(run.outcomes) == 1 and all(
            values is None for __, values in run.outcomes[0][1]
        ):
            return _json(
                [
                    {"action": aid, "state": OUTCOME_DONE}
                    for aid, __ in run.outcomes[0][1]
                ]
            )
        by_record = {}
        for ids, outcomes in run.outcomes:
            for rid in ids:
                by_record[rid] = outcomes
        texts, cache = {}, {}
        for rid in done:
            outcomes = by_record.get(rid) or ()
            entries = []
            for aid, values in outcomes:
                if values is None:
                    entries.append({"action": aid, "state": OUTCOME_DONE})
                    continue
                key = id(values)
                if key not in cache:
                    cache[key] = {vals["res_id"]: vals for vals in values}
                vals = cache[key].get(rid)
                if vals is None:
                    continue  # no due time for this record (no date)
                entry = {
                    "action": aid,
                    "state": OUTCOME_SCHEDULED,
                    "due": fields.Datetime.to_string(vals["eta"]),
                }
                if vals.get("id"):
                    entry["job"] = vals["id"]
                entries.append(entry)
            texts[rid] = _json(entries)
        return texts

    # ------------------------------------------------------------------
    # run log rows
    # ------------------------------------------------------------------

    def _log_rows(
        self,
        rule,
        condition,
        model,
        ids,
        state,
        event=None,
        depth=0,
        duration=0.0,
        error=None,
        action=None,
        job_ids=None,
        function=None,
        caller=None,
        result=None,
        robot=None,
        trigger=None,
        outcome=None,
        names=None,
    ):
        """Run-log tuples in LOG_COLUMNS order, one per record of ``ids``;
        ``outcome`` is one JSON text for all or {id: JSON text}; ``names``
        the records' names when the caller read them for a whole batch."""
        uid = self.env.uid
        # NULL, never False: a rule for all companies has no company, and
        # the status report's batch insert writes these into int4 columns
        company = (rule.company_id.id or None) if rule else None
        robot_id = robot.id if robot else None
        trigger_id = trigger.id if trigger else None
        kind = event.kind if event is not None else "job"
        event_uid = event.uid if event is not None else None
        if names is None:
            names = self._record_names(model, ids, event)
        changes = self._changed_names(event)
        outcomes = outcome if isinstance(outcome, dict) else None
        return [
            (
                rule.id if rule else None,
                condition.id if condition else None,
                action.id if action else None,
                (job_ids or {}).get(rid),
                model,
                rid,
                state,
                error,
                duration,
                uid,
                kind,
                depth,
                event_uid,
                company,
                function.id if function else None,
                caller,
                result,
                robot_id,
                trigger_id,
                names.get(rid),
                changes.get(rid),
                outcomes.get(rid) if outcomes is not None else outcome,
            )
            for rid in ids
        ]

    def _record_names(self, model, ids, event=None):
        """{id: display name} of the records, once per event."""
        names = event.names if event is not None else {}
        if not model or model not in self.env:
            return names
        missing = [rid for rid in ids if rid and rid not in names]
        if missing:
            records = self.env[model].sudo().with_context(active_test=False)
            records = records.browse(missing)
            plain = _plain_names(records)
            if plain is not None:
                names.update(plain)
                return names
            try:
                names.update(zip(missing, records.mapped("display_name"), strict=True))
            except MissingError:
                for record in records.exists():
                    names[record.id] = record.display_name
        return names

    def _changed_names(self, event):
        """{id: "field,field"}: the fields a write event changed, per record."""
        if event is None or not event.changed:
            return {}
        if event.changed_names is None:
            per_record = defaultdict(list)
            for fname in sorted(event.changed):
                for rid in event.changed[fname]:
                    per_record[rid].append(fname)
            event.changed_names = {
                rid: ",".join(fnames) for rid, fnames in per_record.items()
            }
        return event.changed_names
