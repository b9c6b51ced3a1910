# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The five call triggers, as rule triggers and as stage triggers, fed by
calls logged and changed in crm_phonecall."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.crm_workflow_automation.tests.common import StageCase

KINDS = ("received", "made", "missed", "scheduled", "held")


@tagged("post_install", "-at_install")
class TestPhonecallTriggers(StageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Call = cls.env["crm.phonecall"]
        cls.rules = {
            kind: cls.make_rule(
                name=f"On call {kind} (tests)",
                trigger=f"on_call_{kind}",
                actions=[cls.set_priority("3")],
            )
            for kind in KINDS
        }

    def log_call(self, lead, direction="in", state="done", **values):
        return self.Call.with_user(self.salesman).create(
            {
                "name": f"Call {direction} {state}",
                "opportunity_id": lead.id if lead else False,
                "direction": direction,
                "state": state,
                **values,
            }
        )

    def fired(self, lead):
        """The call triggers whose rules ran for the lead."""
        runs = self.runs(records=lead)
        return {kind for kind, rule in self.rules.items() if rule in runs.rule_id}

    def later(self, **delta):
        return fields.Datetime.now() + timedelta(**(delta or {"days": 1}))

    def test_each_kind_of_call_runs_the_rules_of_its_trigger(self):
        cases = [
            ("in", "done", None, {"received", "held"}),
            ("out", "done", None, {"made", "held"}),
            ("in", "open", None, {"missed"}),
            ("in", "pending", None, {"missed"}),
            ("in", "cancel", None, {"missed"}),
            ("out", "open", self.later(), {"scheduled"}),
            ("out", "pending", self.later(), {"scheduled"}),
            # an inbound call planned for later is scheduled, not missed
            ("in", "open", self.later(), {"scheduled"}),
            # an outbound call neither held nor planned for later: nothing
            ("out", "open", None, set()),
            ("out", "cancel", self.later(), set()),
        ]
        for direction, state, date, expected in cases:
            with self.subTest(direction=direction, state=state, date=date):
                lead = self.new_lead(f"Lead {direction} {state} {date}")
                values = {"date": date} if date else {}
                self.log_call(lead, direction, state, **values)
                self.assertEqual(self.fired(lead), expected)
                if expected:
                    self.assertEqual(self.read_back(lead).priority, "3")

    def test_a_call_fires_when_it_becomes_held_not_at_each_edit(self):
        lead = self.new_lead()
        call = self.log_call(lead, "out", "open", date=self.later(hours=2))
        self.assertEqual(self.fired(lead), {"scheduled"})
        # moved to another future time: still the same planned call
        call.write({"date": self.later(hours=3)})
        call.write({"description": "Ask about the delivery date"})
        self.assertEqual(len(self.runs(records=lead)), 1)
        call.write({"state": "done"})
        self.assertEqual(self.fired(lead), {"scheduled", "made", "held"})
        # the held call edited again fires nothing more
        call.write({"duration": 12, "state": "done"})
        self.assertEqual(len(self.runs(records=lead)), 3)

    def test_a_call_without_opportunity_fires_nothing(self):
        runs = self.runs()
        for kind_values in (
            {"direction": "in", "state": "done"},
            {"direction": "in", "state": "open"},
            {"direction": "out", "state": "open", "date": self.later()},
        ):
            self.log_call(None, **kind_values)
        self.assertEqual(self.runs(), runs)

    def test_a_call_linked_to_an_opportunity_later_fires_nothing(self):
        """The trigger is the call's change of state: linking a call that was
        already held to an opportunity is not a new call."""
        call = self.log_call(None, "in", "done")
        lead = self.new_lead()
        call.write({"opportunity_id": lead.id})
        self.assertFalse(self.fired(lead))

    def test_a_call_converted_into_an_opportunity_is_held_on_it(self):
        """crm_phonecall's "Convert to opportunity" links and holds the call
        in one write: the new opportunity gets the call's events."""
        call = self.log_call(None, "in", "open", partner_phone="+32 2 555 00 00")
        call.action_button_convert2opportunity()
        self.assertEqual(self.fired(call.opportunity_id), {"received", "held"})

    def test_a_batch_of_calls_emits_one_event_per_kind(self):
        leads = self.Lead.with_user(self.salesman).create(
            [{"name": f"Lead {n}", "type": "opportunity"} for n in range(20)]
        )
        Engine = type(self.env["crm.workflow.engine"])
        emitted = []
        emit = Engine._emit

        def spy(engine, kind, model, ids, detail=None):
            emitted.append((kind, model, list(ids), detail))
            return emit(engine, kind, model, ids, detail=detail)

        vals = [
            {"name": f"Missed {n}", "opportunity_id": lead.id, "direction": "in"}
            for n, lead in enumerate(leads)
        ]
        # two calls of the first lead: one event, that names the last call
        vals.append({"name": "Again", "opportunity_id": leads[0].id, "direction": "in"})
        vals.append({"name": "No lead", "direction": "in"})
        with patch.object(Engine, "_emit", spy):
            calls = self.Call.with_user(self.salesman).create(
                [dict(v, state="open") for v in vals]
            )
        self.assertEqual(
            [(k, m) for k, m, *__ in emitted], [("call_missed", "crm.lead")]
        )
        __, __, ids, detail = emitted[0]
        self.assertEqual(ids, leads.ids)
        self.assertEqual(detail["phonecalls"][leads[0].id], calls[20].id)
        self.assertEqual(detail["phonecalls"][leads[5].id], calls[5].id)
        self.assertEqual(
            sorted(self.runs(rule=self.rules["missed"]).mapped("res_id")),
            sorted(leads.ids),
        )

    def test_no_event_is_computed_when_no_rule_or_trigger_listens(self):
        self.Rule.search([]).write({"active": False})
        lead = self.new_lead()
        Engine = type(self.env["crm.workflow.engine"])
        with patch.object(Engine, "_emit") as emit:
            call = self.log_call(lead, "in", "open")
            call.write({"state": "done"})
        emit.assert_not_called()

    def test_a_call_on_a_lead_of_another_company_runs_only_that_companys_rules(self):
        self.Rule.search([]).write({"active": False})
        other = self.env["res.company"].create({"name": "Call Center Ltd (tests)"})
        here = self.make_rule(
            name="Missed, this company",
            trigger="on_call_missed",
            company_id=self.env.company.id,
            actions=[self.set_priority("2")],
        )
        there = self.make_rule(
            name="Missed, other company",
            trigger="on_call_missed",
            company_id=other.id,
            actions=[self.set_priority("3")],
        )
        lead = self.Lead.with_company(other).create(
            {"name": "Abroad", "type": "opportunity", "company_id": other.id}
        )
        self.Call.with_company(other).create(
            {
                "name": "Missed abroad",
                "opportunity_id": lead.id,
                "direction": "in",
                "state": "open",
                "company_id": other.id,
            }
        )
        runs = self.runs(records=lead)
        self.assertEqual(runs.rule_id, there)
        self.assertNotIn(here, runs.rule_id)
        self.assertEqual(self.read_back(lead).priority, "3")

    def test_stage_triggers_move_the_opportunity(self):
        self.Rule.search([]).write({"active": False})
        received = self.trigger(self.s2, "call_received")
        self.trigger(self.s3, "call_held", domain="[('priority', '=', '2')]")
        missed = self.trigger(self.s4, "call_missed")
        lead = self.new_lead()
        self.log_call(lead, "in", "done")
        self.assertEqual(self.read_back(lead).stage_id, self.s2)
        lead2 = self.new_lead("Urgent", priority="2")
        self.log_call(lead2, "out", "done")
        self.assertEqual(self.read_back(lead2).stage_id, self.s3)
        lead3 = self.new_lead("Nobody answered")
        self.log_call(lead3, "in", "open")
        self.assertEqual(self.read_back(lead3).stage_id, self.s4)
        runs = (
            self.env["crm.workflow.run"]
            .sudo()
            .search([("trigger_id", "in", (received | missed).ids)])
        )
        self.assertEqual(sorted(runs.mapped("res_id")), sorted((lead | lead3).ids))
        # a call without opportunity moves nothing, and fails nothing
        self.log_call(None, "in", "done")

    def test_scheduled_and_made_stage_triggers(self):
        self.Rule.search([]).write({"active": False})
        self.trigger(self.s2, "call_scheduled")
        self.trigger(self.s3, "call_made")
        lead = self.new_lead()
        call = self.log_call(lead, "out", "open", date=self.later())
        self.assertEqual(self.read_back(lead).stage_id, self.s2)
        call.write({"state": "done"})
        self.assertEqual(self.read_back(lead).stage_id, self.s3)

    def test_call_types_have_labels_and_phone_icons(self):
        Rule, Trigger = self.env["crm.workflow.rule"], self.env["crm.workflow.trigger"]
        rule_types = dict(Rule._fields["trigger"].selection)
        trigger_types = dict(Trigger._fields["trigger_type"].selection)
        for kind in KINDS:
            with self.subTest(kind):
                key = f"on_call_{kind}"
                self.assertEqual(rule_types[key], f"Call {kind}")
                self.assertEqual(trigger_types[f"call_{kind}"], f"Call {kind}")
                self.assertEqual(
                    getattr(Rule, f"_trigger_events_{key}")(), (f"call_{kind}",)
                )
                self.assertTrue(
                    getattr(Rule, f"_trigger_icon_{key}")().startswith("fa-")
                )
                self.assertIn(
                    f"call_{kind}", getattr(Rule, f"_trigger_event_labels_{key}")()
                )
                self.assertEqual(
                    getattr(Trigger, f"_trigger_events_call_{kind}")(),
                    (f"call_{kind}",),
                )

    def test_why_not_tells_whether_the_opportunity_had_such_a_call(self):
        rule = self.rules["missed"]
        lead = self.new_lead()
        state, text = rule._trigger_explain_on_call_missed(
            None, lead, {}, "Call missed"
        )
        self.assertEqual(state, "no")
        self.assertIn("has no call", text)
        self.log_call(lead, "out", "done", name="Offer explained")
        state, text = rule._trigger_explain_on_call_missed(
            None, lead, {}, "Call missed"
        )
        self.assertEqual(state, "no")
        self.assertIn("“Offer explained”", text)
        self.log_call(lead, "in", "open", name="Nobody picked up")
        state, text = rule._trigger_explain_on_call_missed(
            None, lead, {}, "Call missed"
        )
        self.assertEqual(state, "yes")
        self.assertIn("“Nobody picked up”", text)

    def test_a_call_trigger_is_refused_on_another_record_type(self):
        with self.assertRaisesRegex(ValidationError, "opportunity of the call"):
            self.make_rule(
                trigger="on_call_missed",
                model_id=self.env["ir.model"]._get_id("res.partner"),
            )

    def test_why_not_wizard_shows_the_call_of_the_trigger(self):
        lead = self.new_lead()
        self.log_call(lead, "in", "open", name="Nobody picked up")
        action = self.env["crm.workflow.explain"].action_explain("crm.lead", lead.id)
        explain = self.env["crm.workflow.explain"].browse(action["res_id"])
        steps = explain.line_ids.filtered(
            lambda line: line.rule_id == self.rules["missed"] and line.step == "trigger"
        )
        self.assertEqual(steps.result, "yes")
        self.assertIn("“Nobody picked up”", steps.detail)
        made = explain.line_ids.filtered(
            lambda line: line.rule_id == self.rules["made"] and line.step == "trigger"
        )
        self.assertEqual(made.result, "no")

    def test_test_run_simulates_the_call_event(self):
        rule = self.rules["missed"]
        lead = self.new_lead()
        wizard = self.env["crm.workflow.test.run"].create(
            {"rule_id": rule.id, "res_id": lead.id}
        )
        wizard.action_run()
        details = wizard.line_ids.mapped("detail")
        self.assertTrue(any("such a call" in d for d in details), details)
        self.assertEqual(wizard.line_ids.filtered("action_id").outcome, "would_run")
        self.assertEqual(self.read_back(lead).priority, "0")  # rolled back
