# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import datetime, time
from typing import NamedTuple

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..runtime.working_time import (
    WORKING_UNITS,
    add_working_time,
    next_working_moment,
    working_calendar,  # noqa: F401 (imported from here by the types)
)
from .choices import unknown_choice_problem

DATE_UNITS = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
    ("work_hours", "Working hours"),
    ("work_days", "Working days"),
]


# Longer delays and offsets overflow the calendar (and the database column)
MAX_DELAY_DAYS = 36500
UNIT_DAYS = {
    "minutes": 1 / 1440,
    "hours": 1 / 24,
    "days": 1,
    "weeks": 7,
    "months": 31,
    # a 40-hour, 5-day week at the least
    "work_hours": 7 / 40,
    "work_days": 7 / 5,
}
# without a working schedule, working time counts as calendar time
CLOCK_UNITS = {"work_hours": "hours", "work_days": "days"}


def delay_too_long(amount, unit):
    """Whether ``amount`` ``unit`` is more than a hundred years (in any unit
    when ``unit`` is not known yet)."""
    factor = UNIT_DAYS.get(unit, UNIT_DAYS["minutes"])
    return abs(amount or 0) * factor > MAX_DELAY_DAYS


def add_delay(moment, amount, unit):
    """Shift a datetime by a signed amount of a DATE_UNITS unit."""
    return moment + relativedelta(**{unit: amount or 0})


def local_eta(
    value,
    amount,
    unit,
    tz,
    time_of_day=None,
    shift=None,
    calendar=None,
    working_hours_only=False,
):
    """The UTC moment ``amount`` ``unit`` after ``value`` (a date or a UTC
    datetime), counted as people count: days, weeks and months on the calendar
    of ``tz`` (so "1 day before, at 9:00" stays at 9:00 across a daylight-saving
    change), minutes and hours on the clock, working hours and days in the
    working schedule ``calendar`` (a ``resource.calendar``, its holidays and
    leaves skipped). ``shift`` (a relativedelta) moves the date first
    (recurrences); ``time_of_day`` (hours) sets the local time;
    ``working_hours_only`` moves a moment outside the working hours of
    ``calendar`` to the next working one. The one computation of every
    delay and offset."""
    if unit in WORKING_UNITS and not calendar:
        unit = CLOCK_UNITS[unit]
    if unit in WORKING_UNITS:
        start = local_eta(value, 0, "hours", tz, shift=shift)
        eta = add_working_time(calendar, start, amount, unit) or start
        if time_of_day is not None:
            eta = local_eta(eta, 0, "days", tz, time_of_day)
    else:
        eta = _clock_eta(value, amount, unit, tz, time_of_day, shift)
    if working_hours_only and calendar:
        eta = next_working_moment(calendar, eta) or eta
    return eta


def _clock_eta(value, amount, unit, tz, time_of_day=None, shift=None):
    """``local_eta`` in calendar time."""
    if isinstance(value, datetime):
        local = pytz.utc.localize(value).astimezone(tz).replace(tzinfo=None)
    else:
        local = datetime.combine(value, time.min)
    if shift:
        local += shift
    if unit in ("minutes", "hours"):
        moment = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
        moment = add_delay(moment, amount, unit)
        if time_of_day is None:
            return moment
        local = pytz.utc.localize(moment).astimezone(tz).replace(tzinfo=None)
    else:
        local = add_delay(local, amount, unit)
    if time_of_day is not None:
        minutes = int(round(time_of_day * 60))
        local = local.replace(
            hour=minutes // 60 % 24, minute=minutes % 60, second=0, microsecond=0
        )
    return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)


class ConditionSpec(NamedTuple):
    """A rule's condition as the matcher's prefilter reads it."""

    id: int
    domain: str  # the criteria as written ("" when empty)
    is_fallback: bool


class RuleSpec(NamedTuple):
    """What the ORM hook needs to know of an active rule, kept in the registry
    cache: plain immutable data, never records (they would pin a cursor).
    With its conditions, an event that matches none of them reads no rule."""

    id: int
    model: str
    trigger: str
    watched: frozenset | None  # the watched field names; None: any field
    date_field: str | None  # a date rule's field
    company_id: int | None = None
    conditions: tuple = ()  # (ConditionSpec, ...) in the matcher's order


class StageIndex(NamedTuple):
    """The active stage robots and triggers of a model, for the same cache."""

    robot_stages: frozenset  # the stages that have robots
    triggers: dict  # {event kind: (trigger id, ...)}
    # the triggers whose type compares a record before and after a write
    before_write: tuple


class ModelIndex(NamedTuple):
    """What the ORM hook needs to know of one model, in the registry cache.
    A model whose rules are all inactive has one too: deleting its records
    cancels their jobs."""

    rules: dict  # {event kind: (RuleSpec, ...)} of the running rules, in order
    watched_computed: frozenset  # watched fields that a recomputation may change
    stage: StageIndex | None

    def trigger_ids(self, kind):
        """The active triggers that an event of ``kind`` fires."""
        return self.stage.triggers.get(kind, ()) if self.stage else ()


class CrmWorkflowRule(models.Model):
    _name = "crm.workflow.rule"
    _description = "Workflow Rule"
    _inherit = [
        "mail.thread",
        "crm.workflow.run.owner.mixin",
        "crm.workflow.working.time.mixin",
        "crm.workflow.trigger.type.mixin",
        # versioned, with jobs pinned to its versions
        "crm.workflow.pending.job.mixin",
    ]
    _run_owner_field = "rule_id"
    _pending_job_field = "rule_id"
    _pending_job_types = ("action",)
    _trigger_type_field = "trigger"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    description = fields.Text(
        translate=True, help="What the rule does, for the other administrators."
    )
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10, help="Rules of a record run in this order.")
    model_id = fields.Many2one(
        "ir.model",
        string="Record type",
        required=True,
        ondelete="cascade",
        index=True,
        default=lambda self: self.env["ir.model"]._get_id("crm.lead"),
        domain=[("is_mail_thread", "=", True), ("model", "not like", "crm.workflow.%")],
        help="The kind of record this rule watches: leads and opportunities, "
        "or any other record with a chatter.",
    )
    model_name = fields.Char(
        related="model_id.model", store=True, index=True, string="Model"
    )
    # the trigger types add themselves (crm_workflow_rule_<type>.py)
    trigger = fields.Selection(
        [],
        required=True,
        default="on_create_or_write",
        tracking=True,
        help="The event that makes the rule look at a record: its creation, an "
        "edit, its deletion, a date of the record, an email or a done activity.",
    )
    trigger_field_ids = fields.Many2many(
        "ir.model.fields",
        "crm_workflow_rule_trigger_field_rel",
        "rule_id",
        "field_id",
        string="When these fields change",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="Run only when one of these fields changes. Leave empty to run on "
        "any edit.",
    )
    date_field_id = fields.Many2one(
        "ir.model.fields",
        string="Date field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime')), "
        "('store', '=', True)]",
        help="The date of the record the rule runs on, moved by the offset.",
    )
    date_offset = fields.Integer(
        string="Offset",
        help="Run this long after the date (negative: before).",
    )
    date_offset_unit = fields.Selection(
        DATE_UNITS, string="Offset unit", default="days"
    )
    date_recurrence = fields.Selection(
        [("once", "Once"), ("monthly", "Every month"), ("yearly", "Every year")],
        string="Recurrence",
        default="once",
        help="Every month or every year: the rule runs again on the same day "
        "(birthdays, renewals).",
    )
    date_include_overdue = fields.Boolean(
        string="Include overdue dates",
        help="When the rule is activated, also run it at once for records whose "
        "date has already passed. Otherwise only future dates are scheduled.",
    )
    activity_type_ids = fields.Many2many(
        "mail.activity.type",
        string="Activity types",
        help="Run only when an activity of one of these types is done. Leave "
        "empty for any activity.",
    )
    repeat_mode = fields.Selection(
        [
            ("every_time", "Every time the criteria are met"),
            ("first_match", "Only the first time the criteria are met"),
        ],
        string="Repeat",
        required=True,
        default="every_time",
        help="Only the first time: the rule runs once per record; if the record stops "
        "meeting the criteria and meets them again later, the rule does not run "
        "again.",
    )
    on_error = fields.Selection(
        [
            ("log", "Log the error and keep the user's change"),
            ("block", "Refuse the user's change"),
        ],
        string="When an action fails",
        required=True,
        default="log",
        help="Log: the user's change is saved and the failure is in the execution "
        "log. Refuse: the user gets the error and the change is not saved.",
    )
    condition_ids = fields.One2many(
        "crm.workflow.condition", "rule_id", string="Conditions", copy=True
    )
    action_ids = fields.One2many("crm.workflow.action", "rule_id", string="Actions")
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        default=lambda self: self.env.company,
        index=True,
        help="Run only for records of this company (and records without company). "
        "Leave empty for all companies.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Notified when the rule fails or is paused.",
    )
    run_as_superuser = fields.Boolean(
        string="Update fields as superuser",
        groups="crm_workflow_automation.group_workflow_manager",
        help="Field updates of this rule may change fields that the user who "
        "triggered it cannot write.",
    )
    paused = fields.Boolean(
        readonly=True,
        tracking=True,
        help="Paused rules do not run, and their scheduled jobs wait until the rule "
        "is resumed.",
    )
    pause_reason = fields.Text(string="Why paused", readonly=True)
    failure_streak = fields.Integer(
        string="Failures in a row",
        readonly=True,
        help="Consecutive failed runs; the rule pauses itself past a threshold.",
    )
    run_count = fields.Integer(compute="_compute_run_stats", string="Records processed")
    failed_count = fields.Integer(compute="_compute_run_stats", string="Failed runs")

    # ------------------------------------------------------------------
    # computes and constraints
    # ------------------------------------------------------------------

    def _compute_run_stats(self):
        Run = self.env["crm.workflow.run"].sudo()
        counts = defaultdict(lambda: defaultdict(int))
        if self.ids:
            for rule, state, count in Run._read_group(
                [("rule_id", "in", self.ids)], ["rule_id", "state"], ["__count"]
            ):
                counts[rule.id][state] += count
        for rule in self:
            rule.run_count = counts[rule.id]["done"]
            rule.failed_count = counts[rule.id]["failed"]

    @api.model
    def _check_offset(self, amount, unit, name=None):
        if delay_too_long(amount, unit or "days"):
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: the offset of the date must be less than 100 "
                    "years.",
                    rule=name or "",
                )
            )

    @api.model
    def _check_choices(self, vals, name):
        problem = unknown_choice_problem(self, vals)
        if problem:
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: %(problem)s", rule=name or "", problem=problem
                )
            )

    @api.constrains("model_id", "trigger_field_ids", "date_field_id", "trigger")
    def _check_fields_of_model(self):
        # ir.model.fields is readable by administrators only
        for rule in self.sudo():
            foreign = rule.trigger_field_ids.filtered(
                lambda f, r=rule: f.model_id != r.model_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: the field “%(field)s” does not belong to "
                        "%(model)s.",
                        rule=rule.name,
                        field=foreign[0].field_description,
                        model=rule.model_id.name,
                    )
                )
            check = rule._trigger_hook("check")
            if check:
                check()

    @api.constrains("model_id")
    def _check_model_is_thread(self):
        for rule in self:
            if rule.model_name.startswith("crm.workflow."):
                # a rule reacting to rules, runs or jobs would feed on itself
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: %(model)s is a record type of Workflow "
                        "Automation itself; workflow rules do not watch their own "
                        "records (a rule would trigger itself).",
                        rule=rule.name,
                        model=rule.model_id.name,
                    )
                )
            if not rule.model_id.is_mail_thread:
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: %(model)s has no chatter; workflow rules "
                        "apply to "
                        "records that have one.",
                        rule=rule.name,
                        model=rule.model_id.name,
                    )
                )

    @api.constrains("run_as_superuser", "user_id")
    def _check_superuser_responsible(self):
        for rule in self.sudo():
            if rule.run_as_superuser and not rule._may_run_as_superuser():
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: only a rule whose responsible is a Workflow "
                        "Manager may update fields as superuser.",
                        rule=rule.name,
                    )
                )

    def _may_run_as_superuser(self):
        self.ensure_one()
        return bool(
            self.run_as_superuser
            and self.user_id
            and self.user_id.has_group("crm_workflow_automation.group_workflow_manager")
        )

    @api.constrains("condition_ids")
    def _check_one_fallback(self):
        for rule in self:
            if len(rule.condition_ids.filtered("is_fallback")) > 1:
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s” has more than one “all other records” "
                        "condition; "
                        "keep one.",
                        rule=rule.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD: the registry cache follows every change, without a reload
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_choices(vals, vals.get("name"))
            self._check_offset(
                vals.get("date_offset"), vals.get("date_offset_unit"), vals.get("name")
            )
        rules = super().create(vals_list)
        self._invalidate_rule_index()
        self.env["crm.workflow.run"]._sync_record_bindings()
        for rule, vals in zip(rules, vals_list, strict=True):
            rule._trigger_saved(vals, {rule.id: False})
        return rules

    def write(self, vals):
        records, vals = self._with_pending_job_policy(vals)
        if records is not None:
            return records.write(vals)
        self._check_choices(vals, vals.get("name") or self[:1].name)
        for rule in self:
            self._check_offset(
                vals.get("date_offset", rule.date_offset),
                vals.get("date_offset_unit", rule.date_offset_unit),
                rule.name,
            )
        was_active = {rule.id: rule.active and not rule.paused for rule in self}
        res = super().write(vals)
        self._invalidate_rule_index()
        if vals.get("repeat_mode") == "first_match":
            # the records it already ran for, from the run log still there
            self.env["crm.workflow.rule.done"]._fill_from_runs(self.ids)
        if "model_id" in vals:
            self.env["crm.workflow.run"]._sync_record_bindings()
            # conditions and actions follow, and check that they still fit
            self.condition_ids.write({"model_id": vals["model_id"]})
        if "trigger" in vals or "model_id" in vals:
            self.action_ids._check_configuration()
        if "active" in vals and not vals["active"]:
            self._cancel_pending_jobs(self.env._("The rule was deactivated."))
        for rule in self:
            rule._trigger_saved(vals, was_active)
        return res

    def unlink(self):
        self._cancel_pending_jobs(self.env._("The rule was deleted."))
        # the run log names the rule without a foreign key: its runs go here
        self.env["crm.workflow.run"].sudo()._forget("rule_id", self.ids)
        res = super().unlink()
        self._invalidate_rule_index()
        self.env["crm.workflow.run"]._sync_record_bindings()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for rule, vals in zip(self, vals_list, strict=True):
            vals["name"] = self.env._("%(name)s (copy)", name=rule.name)
        return vals_list

    # ------------------------------------------------------------------
    # versions (crm.workflow.versioned.mixin)
    # ------------------------------------------------------------------

    @api.model
    def _version_parts(self):
        return super()._version_parts() + ("condition_ids",)

    @api.model
    def _version_kind(self):
        return self.env._("Rule")

    def _version_target_model(self):
        return self.model_name

    # ------------------------------------------------------------------
    # actions (buttons)
    # ------------------------------------------------------------------

    def action_deactivate(self):
        self.active = False

    def action_activate(self):
        self.active = True

    def action_resume(self):
        """Resume a rule paused by its circuit breaker; its jobs run again."""
        self.write({"paused": False, "pause_reason": False, "failure_streak": 0})
        self.env["crm.workflow.job"]._wake_runners()

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_workflow_automation.crm_workflow_run_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_workflow_automation.crm_workflow_job_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action

    # ------------------------------------------------------------------
    # registry cache of active rules
    # ------------------------------------------------------------------

    def _invalidate_rule_index(self):
        """Every worker sees rule changes at its next request: Odoo signals a
        cache invalidation through the database, which is far cheaper than the
        registry reload that base_automation does."""
        self.env.registry.clear_cache()

    @api.model
    @tools.ormcache()
    def _rule_index(self):
        """{model: ModelIndex} of every model with rules (active or not) or
        with active robots and triggers."""
        self.flush_model()
        self.env["crm.workflow.condition"].flush_model()
        self.env.cr.execute(
            """
            SELECT r.id, r.model_name, r.trigger,
                   r.active AND NOT COALESCE(r.paused, false),
                   df.name,
                   ARRAY(SELECT f.name FROM crm_workflow_rule_trigger_field_rel rel
                         JOIN ir_model_fields f ON f.id = rel.field_id
                         WHERE rel.rule_id = r.id),
                   r.company_id,
                   ARRAY(SELECT ARRAY[c.id::text, COALESCE(c.domain, ''),
                                      COALESCE(c.is_fallback, false)::text]
                           FROM crm_workflow_condition c
                          WHERE c.rule_id = r.id
                          ORDER BY COALESCE(c.is_fallback, false), c.sequence, c.id)
              FROM crm_workflow_rule r
              LEFT JOIN ir_model_fields df ON df.id = r.date_field_id
             ORDER BY r.sequence, r.id
            """
        )
        event_of = defaultdict(list)
        for event, triggers in self._event_triggers().items():
            for trigger in triggers:
                event_of[trigger].append(event)
        specs = {}  # {model: {event kind: [RuleSpec]}}
        for (
            rule_id,
            model,
            trigger,
            running,
            date_field,
            watched,
            company_id,
            conditions,
        ) in self.env.cr.fetchall():
            by_event = specs.setdefault(model, defaultdict(list))
            if not running:
                continue
            # the watched fields matter to write events only
            watched = frozenset(watched) if watched else None
            spec = RuleSpec(
                rule_id,
                model,
                trigger,
                watched,
                date_field,
                company_id,
                tuple(
                    ConditionSpec(int(cid), domain, fallback == "true")
                    for cid, domain, fallback in conditions or ()
                ),
            )
            for event in event_of.get(trigger, ()):
                if event == "date" and not date_field:
                    continue  # a date event needs the rule's date field
                by_event[event].append(spec)
        # stage robots and triggers ride on the same hook and cache
        stages = self.env["crm.workflow.engine"]._stage_index()
        index = {}
        for model in specs.keys() | stages.keys():
            rules = {
                event: tuple(found) for event, found in specs.get(model, {}).items()
            }
            fields_ = self.env[model]._fields if model in self.env else {}
            index[model] = ModelIndex(
                rules=rules,
                watched_computed=frozenset(
                    name
                    for spec in rules.get("write", ())
                    for name in (spec.watched or ())
                    if name in fields_ and fields_[name].compute and fields_[name].store
                ),
                stage=stages.get(model),
            )
        return index

    # ------------------------------------------------------------------
    # trigger types: each is a file that adds its key to ``trigger`` and
    # defines ``_trigger_<hook>_<key>`` methods (DEVELOP.md, "Trigger types")
    # ------------------------------------------------------------------

    @api.model
    def _event_triggers(self):
        """{engine event kind: (trigger keys it runs)}, from each type's
        ``_trigger_events_<key>``."""
        triggers = defaultdict(list)
        for key in self._trigger_keys():
            hook = self._trigger_hook("events", key)
            for event in hook() if hook else ():
                triggers[event].append(key)
        return {event: tuple(keys) for event, keys in triggers.items()}

    def _trigger_label(self):
        self.ensure_one()
        labels = dict(self._fields["trigger"]._description_selection(self.env))
        return labels.get(self.trigger, self.trigger or "")

    def _trigger_filter(self, event, ids, key=None):
        """The ids of ``ids`` this rule's trigger concerns in ``event``."""
        hook = self._trigger_hook("filter", key)
        return hook(event, ids) if hook else ids

    def _trigger_loop_watched(self):
        """Fields whose write fires the rule: set() none, None any."""
        hook = self._trigger_hook("loop_watched")
        return hook() if hook else set()

    def _trigger_saved(self, vals, was_active):
        """After a create or write: the type schedules or cancels its own
        jobs (``was_active``: {rule id: whether it ran before the write})."""
        hook = self._trigger_hook("saved")
        if hook:
            hook(vals, was_active)

    def _trigger_record_gone(self):
        """Whether actions run after the record is gone (a deletion)."""
        hook = self._trigger_hook("record_gone")
        return bool(hook and hook())

    # ------------------------------------------------------------------
    # jobs and the circuit breaker
    # ------------------------------------------------------------------

    def _version_after_change(self):
        # the new version has no action of the jobs whose action was deleted:
        # applying it to them cancels them
        if self and self._pending_job_policy() == "apply":
            self._cancel_open_jobs(
                self.env._("The action was deleted."),
                where="job_type = 'action' AND action_id IS NULL",
            )
        return super()._version_after_change()

    def _cancel_pending_jobs(self, reason, job_type=None):
        if not self.ids:
            return
        self.env["crm.workflow.job"]._cancel_where(
            reason, rule_ids=self.ids, job_type=job_type
        )

    def _register_failures(self, count=1, reason=""):
        """Count failed runs in a row; past the threshold the rule pauses
        itself and tells its responsible (one broken endpoint must not fill the
        queue)."""
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.failure_threshold", 20)
        )
        for rule in self.sudo():
            streak = rule.failure_streak + count
            vals = {"failure_streak": streak}
            if threshold and streak >= threshold and not rule.paused:
                vals.update(
                    paused=True,
                    pause_reason=self.env._(
                        "Paused after %(count)s failed runs in a row. Last error: "
                        "%(error)s",
                        count=streak,
                        error=reason,
                    ),
                )
            rule.write(vals)
            if vals.get("paused"):
                rule._notify_responsible(vals["pause_reason"])

    def _register_successes(self):
        if not self.ids:
            return
        self.env.cr.execute(
            "UPDATE crm_workflow_rule SET failure_streak = 0 "
            "WHERE id = ANY(%s) AND failure_streak > 0 RETURNING id",
            [list(self.ids)],
        )
        if self.env.cr.rowcount:
            self.invalidate_model(["failure_streak"])

    def _notify_responsible(self, message):
        """Post on the rule's chatter, pinging its responsible."""
        for rule in self.sudo():
            partner = rule.user_id.partner_id
            rule.with_context(mail_notify_force_send=False).message_post(
                body=message,
                partner_ids=partner.ids,
                subtype_xmlid="mail.mt_comment" if partner else "mail.mt_note",
                message_type="comment",
            )

    # ------------------------------------------------------------------
    # helpers for the engine
    # ------------------------------------------------------------------

    def _company_domain(self, Model):
        if self.company_id and "company_id" in Model._fields:
            return [("company_id", "in", (False, self.company_id.id))]
        return []
