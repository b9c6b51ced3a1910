# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    """A trigger moves an opportunity to its stage when something happens
    (Bitrix24's "Trigger"); that stage's robots then run as on any entry."""

    _name = "crm.workflow.trigger"
    _description = "Workflow Trigger"
    _inherit = [
        "crm.workflow.stage.automation.mixin",
        "crm.workflow.trigger.type.mixin",
    ]
    _run_owner_field = "trigger_id"
    _trigger_type_field = "trigger_type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    # the types add themselves (crm_workflow_trigger_<type>.py)
    trigger_type = fields.Selection(
        [], string="When", required=True, default="field_match"
    )
    allow_backward = fields.Boolean(
        string="Allow moving back",
        help="Also move opportunities that are already in a later stage.",
    )
    summary = fields.Char(string="Overview", compute="_compute_summary")

    @api.depends(
        "trigger_type",
        "domain",
        "inactivity_days",
        "activity_type_ids",
        "name",
        "webhook_queued",
    )
    def _compute_summary(self):
        labels = dict(self._fields["trigger_type"]._description_selection(self.env))
        for trigger in self:
            hook = trigger._trigger_hook("summary")
            what = (hook and hook()) or labels.get(trigger.trigger_type, "")
            condition = trigger._condition_summary()
            if condition and not trigger._trigger_hook("condition_is_event"):
                what = self.env._(
                    "%(what)s, if %(condition)s", what=what, condition=condition
                )
            elif condition:
                what = condition
            trigger.summary = what

    @api.model
    def _version_kind(self):
        return self.env._("Trigger")

    @api.constrains(
        "trigger_type", "inactivity_days", "domain", "webhook_reference_field_id"
    )
    def _check_configuration(self):
        for trigger in self:
            checker = trigger._trigger_hook("check")
            if checker:
                checker()

    def _secret_fields(self):
        """Fields holding credentials, never exported: on one trigger, those
        of its type (``_trigger_secret_fields_<type>()``); on no trigger,
        those of every type."""
        keys = [self.trigger_type] if self else self._trigger_keys()
        hooks = [self._trigger_hook("secret_fields", key) for key in keys]
        return tuple(name for hook in hooks if hook for name in hook())

    # ------------------------------------------------------------------
    # the engine's side: which records of an event fire the trigger
    # ------------------------------------------------------------------

    @api.model
    def _trigger_events(self):
        """{trigger type: (engine event kinds that feed it)}, from each
        type's ``_trigger_events_<type>``."""
        events = {}
        for key in self._trigger_keys():
            hook = self._trigger_hook("events", key)
            events[key] = tuple(hook()) if hook else ()
        return events

    @api.model_create_multi
    def create(self, vals_list):
        triggers = super().create(vals_list)
        for trigger, vals in zip(triggers, vals_list, strict=True):
            trigger._trigger_saved(vals)
        return triggers

    def write(self, vals):
        res = super().write(vals)
        for trigger in self:
            trigger._trigger_saved(vals)
        return res

    def _trigger_saved(self, vals):
        """After a create or write: the type queues or cancels its own jobs
        (``_trigger_saved_<type>``), as a rule's type does."""
        hook = self._trigger_hook("saved")
        if hook:
            hook(vals)

    def _fire(self, event):
        """Ids of the event's records for which this trigger fires, by
        ``_trigger_fire_<type>`` (all of them when the type has none); its
        condition is tested after (in SQL)."""
        hook = self._trigger_hook("fire")
        return hook(event) if hook else list(event.ids)

    def _loop_watched(self):
        """Fields whose change may fire this trigger (the loop analysis of
        the rule form), by ``_trigger_loop_watched_<type>``."""
        self.ensure_one()
        hook = self._trigger_hook("loop_watched")
        return hook() if hook else set()
