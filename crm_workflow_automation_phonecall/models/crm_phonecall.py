# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The event source of the call triggers: a batch of calls logged or changed
emits one engine event per kind of call that some of them became, on their
opportunities (``crm.lead``).

crm_phonecall has no "received", "missed" or "scheduled" state: a call's
kinds are read from its state, direction and date (``call_kinds``), and a
kind fires when a call gets it, at its creation or by a change of those
fields; a call without an opportunity fires nothing."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The engine events of calls, in the order a batch emits them (a held inbound
# call is "held" and "received").
CALL_EVENTS = (
    "call_held",
    "call_received",
    "call_made",
    "call_missed",
    "call_scheduled",
)
# the fields a call's kinds are read from: a write of others emits nothing
CALL_FIELDS = frozenset(("state", "direction", "date", "opportunity_id"))
# crm_phonecall's states: open "Confirmed", pending "Pending", done "Held",
# cancel "Cancelled"
PLANNED_STATES = ("open", "pending")


def call_kinds(state, direction, date, now):
    """The engine events that describe a call in this state at ``now``:

    - held (``done``): ``call_held``, and ``call_received`` when inbound,
      ``call_made`` when outbound;
    - Confirmed or Pending with a date in the future: ``call_scheduled``
      (either direction);
    - otherwise, not held: ``call_missed`` when inbound (a call that came in,
      was not held and is not planned for later was missed; crm_phonecall has
      no state of its own for it), nothing when outbound.
    """
    if state == "done":
        return {"call_held", "call_received" if direction == "in" else "call_made"}
    if state in PLANNED_STATES and date and date > now:
        return {"call_scheduled"}
    if direction == "in":
        return {"call_missed"}
    return set()


class CrmPhonecall(models.Model):
    _inherit = "crm.phonecall"

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._emit_call_events({})
        return calls

    def write(self, vals):
        if not self or CALL_FIELDS.isdisjoint(vals) or not self._call_events_heard():
            return super().write(vals)
        before = self._call_kinds()
        result = super().write(vals)
        self._emit_call_events(before)
        return result

    @api.model
    def _call_events_heard(self):
        """The call events that some active rule or trigger listens to: the
        only ones worth computing (none: a call costs nothing more)."""
        engine = self.env["crm.workflow.engine"]
        return [kind for kind in CALL_EVENTS if engine._listens(kind, "crm.lead")]

    def _call_kinds(self):
        """{call id: its kinds now} (``call_kinds``)."""
        now = fields.Datetime.now()
        return {
            call.id: call_kinds(call.state, call.direction, call.date, now)
            for call in self.sudo()
        }

    def _emit_call_events(self, before):
        """Emit, for each kind that calls of ``self`` got since ``before``
        ({call id: kinds}; empty for new calls), one event on their
        opportunities, with {"phonecalls": {lead id: call id}} as detail (the
        last call of the batch for a lead that has several)."""
        heard = self._call_events_heard()
        if not heard:
            return
        calls = self.sudo().filtered("opportunity_id")
        found = defaultdict(dict)  # {kind: {lead id: call id}}
        for call_id, kinds in calls._call_kinds().items():
            call = calls.browse(call_id)
            for kind in kinds - before.get(call_id, set()):
                found[kind][call.opportunity_id.id] = call_id
        engine = self.env["crm.workflow.engine"]
        for kind in heard:
            phonecalls = found.get(kind)
            if phonecalls:
                engine._emit(
                    kind,
                    "crm.lead",
                    list(phonecalls),
                    detail={"phonecalls": phonecalls},
                )

    # ------------------------------------------------------------------
    # for the trigger types: the check at save, "Why (not)?"
    # ------------------------------------------------------------------

    @api.model
    def _check_call_rule(self, rule):
        """A call trigger runs the rule on the call's opportunity: refuse it
        on a rule of another record type (it would never run)."""
        if rule.model_name != "crm.lead":
            labels = dict(rule._fields["trigger"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: the trigger “%(trigger)s” runs on the "
                    "opportunity of the call; choose the record type "
                    "Lead/Opportunity.",
                    rule=rule.name,
                    trigger=labels.get(rule.trigger, rule.trigger),
                )
            )

    @api.model
    def _local_time(self, moment):
        local = fields.Datetime.context_timestamp(self, moment)
        return local.strftime("%Y-%m-%d %H:%M")

    @api.model
    def _explain_call_trigger(self, kind, lead, label):
        """(state, text) of "Why (not)?" for a trigger on calls of ``kind``:
        whether a call of the opportunity is of that kind now."""
        calls = self.sudo().search([("opportunity_id", "=", lead.id)], order="id desc")
        if not calls:
            return "no", self.env._(
                "Trigger: %(trigger)s; the opportunity has no call.", trigger=label
            )
        now = fields.Datetime.now()
        for call in calls:
            if kind in call_kinds(call.state, call.direction, call.date, now):
                return "yes", self.env._(
                    "Trigger: %(trigger)s; its call “%(call)s” of %(date)s is one.",
                    trigger=label,
                    call=call.name,
                    date=self._local_time(call.date or call.create_date),
                )
        last = calls[0]
        states = dict(last._fields["state"]._description_selection(self.env))
        directions = dict(last._fields["direction"]._description_selection(self.env))
        return "no", self.env._(
            "Trigger: %(trigger)s; none of its calls is one (the last, “%(call)s”: "
            "%(direction)s, %(state)s).",
            trigger=label,
            call=last.name,
            direction=directions.get(last.direction, last.direction),
            state=states.get(last.state, last.state),
        )
