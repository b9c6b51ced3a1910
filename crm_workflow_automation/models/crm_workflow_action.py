# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What every action shares: its place (condition, sequence), its timing, and
the dispatch to its type. Each type lives in its own file
(``crm_workflow_action_<type>.py``), written as a further module would write
one: ``selection_add`` on ``action_type``, its fields, ``_check_<type>`` and
``_run_<type>``, and the per-type hooks ``_<hook>_<type>`` that the methods
below look up (``_type_hook``) when it needs a job, a payload or a promise."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_round

from .choices import unknown_choice_problem
from .crm_workflow_rule import (
    DATE_UNITS,
    delay_too_long,
    local_eta,
)

# A record notified one by one up to this batch size; larger batches get one
# summary notification (nobody reads 10,000 inbox entries).
NOTIFY_SUMMARY_THRESHOLD = 20


class CrmWorkflowAction(models.Model):
    _name = "crm.workflow.action"
    _inherit = ["crm.workflow.working.time.mixin", "crm.workflow.version.part.mixin"]
    _description = "Workflow Action"
    _order = "sequence, id"
    _version_parent_field = "condition_id"

    # Empty when the action belongs to something else than a rule's condition
    # (a model that delegates to actions with ``_inherits``).
    condition_id = fields.Many2one(
        "crm.workflow.condition",
        string="Condition",
        ondelete="cascade",
        index=True,
    )
    rule_id = fields.Many2one(
        related="condition_id.rule_id", store=True, index=True, string="Rule"
    )
    # A plain field, filled from the parent (the context's default in the
    # form, the condition at create): the web client cannot follow a related
    # chain through a condition and a rule that are not saved yet, and every
    # type's field domains read it.
    model_id = fields.Many2one(
        "ir.model",
        string="Record type",
        required=True,
        ondelete="cascade",
        index=True,
    )
    model_name = fields.Char(related="model_id.model", string="Model")
    company_id = fields.Many2one(related="rule_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(
        translate=True, compute="_compute_name", store=True, readonly=False
    )
    # the types add themselves (crm_workflow_action_<type>.py)
    action_type = fields.Selection(
        [],
        string="Action",
        required=True,
        default="field_update",
        help="What the action does to the record: update a field, send an email, "
        "give a task, call a webhook…",
    )
    active = fields.Boolean(related="rule_id.active")
    # shared by the types that pick users (email to chosen users, notify)
    user_ids = fields.Many2many(
        "res.users",
        "crm_workflow_action_user_rel",
        "action_id",
        "user_id",
        string="Users",
    )

    # -- timing --------------------------------------------------------
    timing = fields.Selection(
        [("instant", "Instant action"), ("scheduled", "Scheduled action")],
        required=True,
        default="instant",
        help="Instant: as soon as the record meets the criteria. Scheduled: "
        "later, after the delay, from the scheduled jobs.",
    )
    delay_amount = fields.Integer(
        string="Delay", help="Negative values run before the date field."
    )
    delay_unit = fields.Selection(DATE_UNITS, string="Delay unit", default="days")
    delay_anchor = fields.Selection(
        [("trigger", "After the trigger"), ("date_field", "Relative to a date field")],
        string="Counted from",
        default="trigger",
        help="The delay counts from the moment the rule ran, or from a date of "
        "the record (e.g. one day before the expected closing).",
    )
    delay_date_field_id = fields.Many2one(
        "ir.model.fields",
        string="Date field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime'))]",
    )
    delay_at_time = fields.Boolean(
        string="At a time of day",
        help="Run on the due day at a fixed time instead of the exact delay.",
    )
    delay_time_of_day = fields.Float(
        string="Time of day",
        help="Hour in the time zone of the rule's responsible, e.g. 9.5 for 09:30.",
    )
    recheck_condition = fields.Boolean(
        string="Check the criteria again before running",
        default=True,
        help="A scheduled action is cancelled when its record no longer meets the "
        "criteria at the time it is due.",
    )

    # ------------------------------------------------------------------
    # computes and onchanges
    # ------------------------------------------------------------------

    @api.depends("action_type")
    def _compute_name(self):
        labels = dict(self._fields["action_type"]._description_selection(self.env))
        for action in self:
            # the type's label follows a change of type, a name typed by
            # the user stays
            if not action.name or action.name in labels.values():
                action.name = labels.get(action.action_type)

    @api.onchange("condition_id")
    def _onchange_condition_id(self):
        if self.condition_id.model_id:
            self.model_id = self.condition_id.model_id

    # ------------------------------------------------------------------
    # the record this action belongs to
    # ------------------------------------------------------------------

    def _owner(self):
        """The record this action belongs to: its rule. A model that delegates
        to actions overrides this; the owner answers ``name``, ``user_id``,
        ``_date_rule_tz()`` and ``_may_run_as_superuser()``."""
        return self.rule_id

    # ------------------------------------------------------------------
    # CRUD and configuration checks
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        conditions = self.env["crm.workflow.condition"]
        for vals in vals_list:
            self._check_code_access(vals)
            self._check_vals_before_save(vals)
            if vals.get("condition_id"):
                # the parent says which records: a value from the form's
                # context may predate a change of the rule's record type
                model = conditions.browse(vals["condition_id"]).model_id
                vals["model_id"] = model.id or vals.get("model_id")
        actions = super().create(vals_list)
        actions._check_configuration()
        return actions

    def write(self, vals):
        self._check_code_access(vals)
        self._check_vals_before_save(vals)
        res = super().write(vals)
        if set(vals) - self._fields_without_check():
            self._check_configuration()
        return res

    @api.model
    def _version_ignored_fields(self):
        # the record type follows the rule's (a robot's is always leads)
        return super()._version_ignored_fields() | {"model_id"}

    @api.model
    def _version_kind(self):
        return self.env._("Action")

    @api.model
    def _fields_without_check(self):
        """Fields whose change needs no configuration check (extension point:
        a type adds the bookkeeping fields it writes while running)."""
        return {"sequence", "name"}

    @api.model
    def _code_fields(self):
        """Fields holding Python code, reserved to Workflow Developers
        (extension point: a type that runs code adds its field)."""
        return ()

    def _secret_fields(self):
        """Fields holding credentials of other systems, never exported: on one
        action, those of its type (``_secret_fields_<type>()``); on no action,
        those of every type."""
        if self:
            return tuple(self._call_type_hook("secret_fields", default=()))
        keys = self._fields["action_type"].get_values(self.env)
        hooks = [getattr(self, f"_secret_fields_{key}", None) for key in keys]
        return tuple(name for hook in hooks if hook for name in hook())

    @api.model
    def _check_vals_before_save(self, vals):
        """Before the database sees them: values that the database or the ORM
        would refuse in their own words, or that the check after the save
        could not see (a type extends this for its fields)."""
        problem = unknown_choice_problem(self, vals)
        if problem:
            self._refuse_vals(vals, problem)
        if delay_too_long(vals.get("delay_amount"), None):
            self._refuse_vals(
                vals, self.env._("the delay must be less than 100 years.")
            )

    @api.model
    def _refuse_vals(self, vals, problem):
        """Refuse ``vals`` before they are saved, naming the action and its rule
        as the check after the save does (a record being created has only its
        values: a new record stands in for it)."""
        naming = {f: vals[f] for f in ("name", "condition_id") if f in vals}
        if vals.get("action_type") in self._fields["action_type"].get_values(self.env):
            naming["action_type"] = vals["action_type"]  # its label names it
        (self[:1] or self.new(naming))._raise_config(problem)

    @api.model
    def _check_code_access(self, vals):
        """Python code (functions, expressions) is for Workflow Developers only:
        it runs with the ORM's full power, whatever the sandbox forbids."""
        if self.env.su or not any(vals.get(f) for f in self._code_fields()):
            return
        self._check_developer()

    @api.model
    def _check_developer(self):
        """Refuse code to users who are not Workflow Developers (also for the
        code held by other models of actions, such as argument expressions)."""
        if not self.env.user.has_group(
            "crm_workflow_automation.group_workflow_developer"
        ):
            raise AccessError(
                self.env._(
                    "Only Workflow Developers may write Python code in workflow "
                    "actions."
                )
            )

    def _check_configuration(self):
        """Refuse a bad configuration at save: ``_check_timing`` and then the
        type's own ``_check_<action_type>``."""
        for action in self.sudo():
            action._check_timing()
            if (
                action.rule_id
                and action.rule_id._trigger_record_gone()
                and not action._runs_on_deleted_records()
            ):
                action._raise_config(
                    self.env._(
                        "a rule on deleted records can only run actions of these "
                        "types: %(types)s.",
                        types=", ".join(self._types_on_deleted_records()),
                    )
                )
            action._call_type_hook("check")

    @api.model
    def _types_on_deleted_records(self):
        """The labels of the types a rule on deleted records may run, asked of
        each type (``_runs_on_deleted_records``): the core names none."""
        selection = self._fields["action_type"]._description_selection(self.env)
        return [
            label
            for key, label in selection
            if self.new({"action_type": key})._runs_on_deleted_records()
        ]

    def _raise_config(self, problem):
        raise ValidationError(self._config_message(problem))

    def _config_message(self, problem):
        """``problem`` (a sentence) in the words of the action's owner: "Action
        … of rule …". A model that delegates to actions says it its own way."""
        owner = self._owner()
        if not owner:  # an action of no rule (yet)
            return self.env._(
                "Action “%(action)s”: %(problem)s",
                action=self.name or "",
                problem=problem,
            )
        return self.env._(
            "Action “%(action)s” of rule “%(rule)s”: %(problem)s",
            action=self.name or "",
            rule=owner.name or "",
            problem=problem,
        )

    def _check_model_field(self, field, missing):
        if field and field.model_id != self.model_id:
            self._raise_config(
                self.env._(
                    "the field “%(field)s” does not belong to %(model)s.",
                    field=field.field_description,
                    model=self.model_id.name,
                )
            )
        if not field:
            self._raise_config(missing)

    def _check_record_field(self, fname, comodel, problem):
        """The records have the field ``fname`` pointing to ``comodel``, or
        the action says ``problem``."""
        field = self.env[self.model_name]._fields.get(fname)
        if not field or (comodel and field.comodel_name != comodel):
            self._raise_config(problem)

    def _check_timing(self):
        if self.timing != "scheduled":
            return
        if self.delay_anchor == "date_field":
            self._check_model_field(
                self.delay_date_field_id,
                self.env._("choose the date field the delay counts from."),
            )
        if self.delay_at_time and not (0 <= self.delay_time_of_day < 24):
            self._raise_config(
                self.env._("the time of day must be between 0:00 and 23:59.")
            )
        if delay_too_long(self.delay_amount, self.delay_unit):
            self._raise_config(self.env._("the delay must be less than 100 years."))
        if self.delay_anchor == "trigger" and (self.delay_amount or 0) < 0:
            self._raise_config(
                self.env._("a delay after the trigger cannot be negative.")
            )

    # ------------------------------------------------------------------
    # the type's own hooks: ``_<hook>_<action_type>``, found by name
    # ------------------------------------------------------------------

    def _type_hook(self, hook):
        """The type's method for ``hook`` (``_<hook>_<action_type>``, e.g.
        ``_run_webhook``), or ``None`` when the type does not define it: the
        one way the core reaches a type, so a further module adds a type
        without overriding a method of the core."""
        return getattr(self, f"_{hook}_{self.action_type}", None)

    def _call_type_hook(self, hook, *args, default=None):
        """The type's answer to ``hook`` (its ``_<hook>_<action_type>`` called
        with ``args``), or ``default`` when the type does not define it."""
        method = self._type_hook(hook)
        return default if method is None else method(*args)

    # ------------------------------------------------------------------
    # planning: instant now, or a job at its time (each asks the type)
    # ------------------------------------------------------------------

    def _runs_on_deleted_records(self):
        """Whether the type makes sense for a record being deleted (most would
        act on, or mail from, a record about to vanish)."""
        return self._call_type_hook("runs_on_deleted_records", default=False)

    def _requires_job(self):
        """Whether the type's effect leaves the database, so that it runs from
        a job after the triggering transaction commits."""
        return self._call_type_hook("requires_job", default=False)

    def _job_batchable(self):
        """Whether the runner may run due jobs of this action as one batch."""
        return self._call_type_hook("job_batchable", default=True)

    def _job_pinnable(self):
        """Whether a job queued by an older version of its rule or robot may
        run this action as that version said (built in memory, without an
        id). A type whose run needs the stored action (a webhook's delivery
        and its secrets, a task that links back to it) says no: its jobs run
        the live action."""
        return self._call_type_hook("job_pinnable", default=True)

    def _effects_in_database(self):
        """Whether every effect of the type stays in the database (a queued
        mail, not an HTTP call): a rollback undoes it, and running it again
        after one does what one run does. The engine then runs all the rules
        of an event in one savepoint and one flush, and only replays them
        rule by rule after a failure. A type that cannot promise it (a
        function may call a web service) keeps a savepoint per rule."""
        return self._call_type_hook("effects_in_database", default=False)

    def _replayable(self):
        """Whether a done job of the action may be run again by a manager
        (**Replay**: the same event id and payload, as a webhook is resent)."""
        return self._call_type_hook("replayable", default=False)

    def _plans_only(self):
        """Whether running the action only plans it (a scheduled action, or
        one that leaves the database: a job row), never acts at once."""
        return self.timing != "instant" or self._requires_job()

    def _completes_later(self):
        """Whether a run of the type is only finished later (an answer to a
        request): what comes after it waits until the type calls
        ``_finish_later``."""
        return self._call_type_hook("completes_later", default=False)

    def _finish_later(self, records, context, data):
        """A run that completed later is finished on ``records``; ``context``
        is what the type kept of the run (its stage entry), ``data`` what it
        produced. A rule has nothing waiting; a robot starts the ones after
        it (crm_workflow_robot.py)."""
        return None

    def _prepare_job_payloads(self, records, run):
        """{record id: data} a job carries from the event, taken when the event
        happens so that a later change does not alter it."""
        return self._call_type_hook("prepare_job_payloads", records, run, default={})

    def _compute_etas(self, records, trigger_time):
        """{record id: eta} for a scheduled action (records without a date in
        a date-anchored action get none)."""
        self.ensure_one()
        etas = {}
        tz = self._owner()._date_rule_tz()
        at = (
            float_round(self.delay_time_of_day, precision_digits=4)
            if self.delay_at_time
            else None
        )
        unit = self.delay_unit or "days"
        working = {
            "calendar": self._working_calendar(),
            "working_hours_only": self.working_hours_only,
        }
        if self.delay_anchor == "date_field" and self.delay_date_field_id:
            fname = self.delay_date_field_id.name
            for record, value in zip(records, records.mapped(fname), strict=True):
                if value:
                    etas[record.id] = local_eta(
                        value, self.delay_amount, unit, tz, at, **working
                    )
        else:
            eta = local_eta(trigger_time, self.delay_amount, unit, tz, at, **working)
            etas = dict.fromkeys(records.ids, eta)
        return etas

    def _working_calendar(self):
        """The ``resource.calendar`` of the delay, when it needs one: the
        responsible's is the one of the rule or robot the action belongs to."""
        self.ensure_one()
        owner = self._owner()
        user = owner.user_id if "user_id" in owner._fields else self.env.user
        return self._working_calendar_of(self.delay_unit, user, self.company_id)

    # ------------------------------------------------------------------
    # execution: one call per action and batch, dispatched by type
    # ------------------------------------------------------------------

    def _execute(self, records, run):
        """Run this action on a batch of records, in their environment (the
        user who triggered it). ``self`` is read as superuser by the engine;
        every effect goes through ``records.env``."""
        self.ensure_one()
        runner = self._type_hook("run")
        if runner is None:
            raise UserError(
                self.env._(
                    "Actions of type “%(type)s” cannot be run.", type=self.action_type
                )
            )
        return runner(records, run)

    # ------------------------------------------------------------------
    # design time: test run and loop analysis (hooks a type overrides)
    # ------------------------------------------------------------------

    def _test(self, records, run):
        """What this action would do on ``records``, in words, for a test run
        (inside a savepoint that the caller rolls back: nothing may leave the
        database). A type explains itself in ``_test_<action_type>``; by
        default the action is only described, never run."""
        self.ensure_one()
        hook = self._type_hook("test")
        if hook is None:
            return self._test_description()
        return hook(records, run)

    def _test_description(self):
        labels = dict(self._fields["action_type"]._description_selection(self.env))
        return self.env._(
            "Would run “%(action)s” (%(type)s); this type does not show its "
            "effect in a test run.",
            action=self.name or "",
            type=labels.get(self.action_type, self.action_type),
        )

    def _run_note(self, records, run):
        """This action's part of the note the rule leaves in the records'
        chatter; a type may say more (``_run_note_<type>``)."""
        method = self._type_hook("run_note")
        if method is not None:
            return method(records, run)
        if self.timing == "scheduled":
            return self.env._("%(action)s (scheduled)", action=self.name or "")
        return self.name or ""

    def _test_by_running(self, records, run):
        """Run the action (the caller's savepoint undoes it) and tell the
        values of the fields it writes, before and after: for the types
        whose whole effect stays in the database."""
        fnames = [f for f in self._fields_written() if f in records._fields]
        sudo_records = records.sudo()
        before = {f: self._test_value(sudo_records, f) for f in fnames}
        self._execute(records, run)
        records.env.flush_all()
        sudo_records.invalidate_recordset(fnames)
        changes = []
        for fname in fnames:
            after = self._test_value(sudo_records, fname)
            label = records._fields[fname]._description_string(self.env)
            if after == before[fname]:
                changes.append(
                    self.env._(
                        "%(field)s: unchanged (%(value)s)",
                        field=label,
                        value=after,
                    )
                )
            else:
                changes.append(
                    self.env._(
                        "%(field)s: %(old)s → %(new)s",
                        field=label,
                        old=before[fname],
                        new=after,
                    )
                )
        return "\n".join(changes) or self._test_description()

    @api.model
    def _test_value(self, records, fname):
        """A field's value as a person reads it."""
        field = records._fields[fname]
        value = records[fname]
        if field.type in ("many2one", "many2many", "one2many"):
            return ", ".join(value.mapped("display_name")) or "—"
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return labels.get(value, value) if value else "—"
        if value is False or value is None:
            return "—"
        return str(value)

    def _fields_written(self):
        """Names of the fields of the records this action writes, for the
        loop analysis: declared by each type in
        ``_fields_written_<action_type>`` (none when a type does not say)."""
        self.ensure_one()
        return set(self._call_type_hook("fields_written", default=()))
