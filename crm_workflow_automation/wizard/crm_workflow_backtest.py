# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a rule would have done over the last days: its trigger type lists the
past events (``_trigger_backtest_<type>``: creations from ``create_date``,
edits from the chatter's field tracking), each record is rebuilt as it was at
each event from its tracking values, newest first, and the conditions are
evaluated on it with the matcher's own compiled predicates. Nothing is
written, sent or queued; the test run's words of each action are computed in
a savepoint that is rolled back."""

import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_datetime

from ..models.crm_workflow_engine import _MISSING, _cache_values
from ..runtime.event import Run

MAX_DAYS = 90
SAMPLE_SIZE = 1


def tracking_to_cache(field, row):
    """The cache value of ``field`` that a tracking value's old columns
    (integer, float, char, datetime) hold; _MISSING when tracking cannot
    rebuild it (a many2many is tracked as the names of its records)."""
    integer, number, char, moment = row
    kind = field.type
    if kind == "many2one":
        return integer or None
    if kind == "integer":
        return integer or 0
    if kind in ("float", "monetary"):
        return number or 0.0
    if kind == "boolean":
        return bool(integer)
    if kind in ("char", "text", "html"):
        return char or None
    if kind == "datetime":
        return moment or None
    if kind == "date":
        return moment.date() if moment else None
    if kind == "selection" and not callable(field.selection):
        if not char:
            return None
        # Odoo tracks a selection by its label
        by_label = {label: key for key, label in field.selection}
        return by_label.get(char, char)
    return _MISSING


class CrmWorkflowBacktest(models.TransientModel):
    _name = "crm.workflow.backtest"
    _description = "Backtest of a Workflow Rule"

    rule_id = fields.Many2one(
        "crm.workflow.rule", string="Rule", required=True, ondelete="cascade"
    )
    days = fields.Integer(
        string="Days back",
        default=30,
        help="The record changes of this many days (1 to 90) are replayed.",
    )
    event_count = fields.Integer(string="Events seen", readonly=True)
    record_count = fields.Integer(string="Records concerned", readonly=True)
    match_count = fields.Integer(string="Records matched", readonly=True)
    run_count = fields.Integer(
        string="Runs",
        readonly=True,
        help="How many times the rule would have run (a record may run several times).",
    )
    approximate = fields.Boolean(readonly=True)
    approximate_note = fields.Text(string="Approximate because", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    line_ids = fields.One2many(
        "crm.workflow.backtest.line", "backtest_id", string="What it would have done"
    )

    @api.constrains("days")
    def _check_days(self):
        for wizard in self:
            if not 1 <= wizard.days <= MAX_DAYS:
                raise ValidationError(
                    self.env._("Replay between 1 and %(max)s days back.", max=MAX_DAYS)
                )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard._fill()
        return wizards

    def action_refresh(self):
        self._fill()
        return self._action_open()

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Backtest of “%(rule)s”", rule=self.rule_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # the past events, for the trigger types
    # ------------------------------------------------------------------

    def _since(self):
        return fields.Datetime.now() - timedelta(days=self.days)

    @api.model
    def _past_creations(self, Model, since):
        """[(moment, record id, None)] of the records created since then."""
        self.env.cr.execute(
            SQL(
                "SELECT create_date, id FROM %s WHERE create_date >= %s",
                SQL.identifier(Model._table),
                since,
            )
        )
        return [(moment, rid, None) for moment, rid in self.env.cr.fetchall()]

    @api.model
    def _past_edits(self, Model, since, watched=None):
        """[(moment, record id, message id)] of the tracked edits since then
        (of the ``watched`` field names only, when given)."""
        field_ids = None
        if watched:
            field_ids = [
                self.env["ir.model.fields"]._get(Model._name, name).id
                for name in watched
            ]
        self.env.cr.execute(
            SQL(
                """SELECT m.date, m.res_id, m.id FROM mail_message m
                    WHERE m.model = %s AND m.date >= %s AND EXISTS (
                        SELECT 1 FROM mail_tracking_value v
                         WHERE v.mail_message_id = m.id %s)""",
                Model._name,
                since,
                SQL("AND v.field_id = ANY(%s)", field_ids) if field_ids else SQL(""),
            )
        )
        return [tuple(row) for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # the replay
    # ------------------------------------------------------------------

    def _fill(self):
        self.ensure_one()
        started = time.perf_counter()
        rule = self.rule_id.sudo().with_context(active_test=False)
        Model = self.env[rule.model_name].sudo().with_context(active_test=False)
        events_of = rule._trigger_hook("backtest")
        if events_of is None:
            labels = dict(rule._fields["trigger"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Rules that run “%(trigger)s” cannot be replayed from the "
                    "history: the backtest replays the creations and the tracked "
                    "edits of records.",
                    trigger=labels.get(rule.trigger, rule.trigger),
                )
            )
        events, notes = events_of(self, Model, self._since())
        ids = sorted({rid for __, rid, __ in events})
        conditions, fnames, more_notes = self._compiled_conditions(rule, Model, ids)
        notes += more_notes
        history, untracked = self._history(Model, ids, fnames)
        if untracked:
            notes.append(
                self.env._(
                    "The criteria read fields whose changes are not tracked; "
                    "their present values are used: %(fields)s.",
                    fields=", ".join(sorted(untracked)),
                )
            )
        runs = self._evaluate(rule, Model, events, conditions, fnames, history)
        self.line_ids.unlink()
        self.write(
            {
                "event_count": len(events),
                "record_count": len(ids),
                "match_count": len({rid for hits in runs.values() for __, rid in hits}),
                "run_count": sum(len(hits) for hits in runs.values()),
                "approximate": bool(notes),
                "approximate_note": "\n".join(notes) or False,
                "line_ids": self._lines(rule, Model, runs),
            }
        )
        self.duration = time.perf_counter() - started

    def _compiled_conditions(self, rule, Model, ids):
        """[(condition, predicate or the ids it matches now)], the field
        names the predicates read, and the notes of what is approximate."""
        notes = []
        compiled_conditions = []
        fnames = set()
        ordered = rule.condition_ids.filtered(lambda c: not c.is_fallback)
        ordered |= rule.condition_ids.filtered("is_fallback")[:1]
        for condition in ordered:
            __, whole, compiled = condition._criteria(rule, Model)
            if compiled is None:
                now = (
                    set(Model.search([("id", "in", ids), *whole]).ids) if ids else set()
                )
                compiled_conditions.append((condition, now))
                notes.append(
                    self.env._(
                        "Condition “%(condition)s” is checked on the records as "
                        "they are now (its criteria follow relations or compare "
                        "texts, which only the database answers).",
                        condition=condition.name or condition.domain_text or "",
                    )
                )
            else:
                predicate, names = compiled
                fnames.update(names)
                compiled_conditions.append((condition, predicate))
        return compiled_conditions, sorted(fnames), notes

    def _history(self, Model, ids, fnames):
        """({record id: [(message id, {field: old cache value})] newest
        first}, labels of the fields read that tracking cannot rebuild)."""
        fields_ = {name: Model._fields[name] for name in fnames}
        untracked = {
            f._description_string(self.env)
            for f in fields_.values()
            # the rule's company is a criterion of every condition: a record
            # rarely changes company, and saying so would only be noise
            if not getattr(f, "tracking", False) and f.name not in ("id", "company_id")
        }
        history = defaultdict(list)
        if not ids or not fields_:
            return history, untracked
        IrField = self.env["ir.model.fields"]
        by_id = {IrField._get(Model._name, name).id: name for name in fields_}
        self.env.cr.execute(
            SQL(
                """SELECT m.res_id, m.id, v.field_id, v.old_value_integer,
                          v.old_value_float, v.old_value_char, v.old_value_datetime
                     FROM mail_tracking_value v
                     JOIN mail_message m ON m.id = v.mail_message_id
                    WHERE m.model = %s AND m.res_id = ANY(%s)
                      AND v.field_id = ANY(%s)
                    ORDER BY m.res_id, m.id DESC""",
                Model._name,
                ids,
                list(by_id),
            )
        )
        last = None
        for res_id, message_id, field_id, *old in self.env.cr.fetchall():
            name = by_id[field_id]
            value = tracking_to_cache(fields_[name], old)
            if value is _MISSING:
                untracked.add(fields_[name]._description_string(self.env))
                continue
            if last != (res_id, message_id):
                history[res_id].append((message_id, {}))
                last = (res_id, message_id)
            history[res_id][-1][1][name] = value
        return history, untracked

    def _evaluate(self, rule, Model, events, conditions, fnames, history):
        """{condition: [(moment, record id)]}: the first condition the record
        met at each event, as it was then."""
        by_record = defaultdict(list)
        for moment, rid, message_id in events:
            by_record[rid].append((moment, message_id))
        records = Model.browse(sorted(by_record))
        current = {}
        if fnames:
            records.fetch(fnames)
            columns = {
                name: _cache_values(records, Model._fields[name]) for name in fnames
            }
            for position, rid in enumerate(records._ids):
                current[rid] = {name: columns[name][position] for name in fnames}
        runs = defaultdict(list)
        first_only = rule.repeat_mode == "first_match"
        for rid, record_events in by_record.items():
            if any(v is _MISSING for v in current.get(rid, {}).values()):
                continue  # deleted since
            # newest first: walking back, every edit newer than the event is
            # undone; the creation comes last, with every edit undone
            record_events.sort(key=lambda e: e[1] or 0, reverse=True)
            past = history.get(rid, ())
            state = dict(current.get(rid, {}))
            position = 0
            seen = []
            for moment, message_id in record_events:
                while position < len(past) and past[position][0] > (message_id or 0):
                    state.update(past[position][1])
                    position += 1
                condition = self._first_match(conditions, rid, state)
                if condition is not None:
                    seen.append((moment, condition))
            if first_only and seen:
                seen = [min(seen, key=lambda hit: hit[0])]
            for moment, condition in seen:
                runs[condition].append((moment, rid))
        return runs

    @staticmethod
    def _first_match(conditions, rid, values):
        get = values.__getitem__
        for condition, test in conditions:
            if isinstance(test, set):
                if rid in test:
                    return condition
            elif test(get):
                return condition
        return None

    # ------------------------------------------------------------------
    # the lines: what each condition and action would have done
    # ------------------------------------------------------------------

    def _lines(self, rule, Model, runs):
        commands = []
        for condition in rule.condition_ids:
            hits = runs.get(condition, [])
            ids = sorted({rid for __, rid in hits})
            commands.append(
                fields.Command.create(
                    {
                        "condition_id": condition.id,
                        "name": condition.name or condition.domain_text or "",
                        "run_count": len(hits),
                        "match_count": len(ids),
                        "res_ids": ",".join(map(str, ids)),
                        "what": self._what(rule, condition, Model.browse(ids), hits),
                    }
                )
            )
        return commands

    def _what(self, rule, condition, records, hits):
        """The actions in words: the test run's words on a few of the records,
        and when the scheduled ones would have been due."""
        if not hits:
            return self.env._("No record would have met this condition.")
        lines = []
        sample = records.exists()[:SAMPLE_SIZE]
        moments = sorted(moment for moment, __ in hits)
        for action in condition.action_ids.sudo():
            if action.timing == "scheduled":
                first = action._compute_etas(sample[:1], moments[0]) if sample else {}
                last = action._compute_etas(sample[:1], moments[-1]) if sample else {}
                lines.append(
                    self.env._(
                        "%(action)s (jobs queued: %(count)s), due from %(first)s "
                        "to %(last)s.",
                        action=action.name or "",
                        count=len(hits),
                        first=self._when(first),
                        last=self._when(last),
                    )
                )
                continue
            words = self._test_words(rule, condition, action, sample)
            lines.append(
                self.env._(
                    "%(action)s (runs: %(count)s). On %(records)s as it is now: "
                    "%(words)s",
                    action=action.name or "",
                    count=len(hits),
                    records=", ".join(sample.mapped("display_name")),
                    words=words,
                )
            )
        return "\n".join(lines)

    def _when(self, etas):
        """The due time of ``etas`` ({record id: eta}) in the user's time
        zone and language."""
        eta = next(iter(etas.values()), None)
        return format_datetime(self.env, eta, dt_format="short") if eta else "—"

    def _test_words(self, rule, condition, action, sample):
        """The test run's words, in a savepoint rolled back."""
        if not sample:
            return "—"
        savepoint = self.env.cr.savepoint()
        try:
            words = action._test(sample, Run(rule, condition))
        except (UserError, ValidationError, ValueError) as error:
            words = self.env._("the test run failed: %(error)s", error=error)
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return words
