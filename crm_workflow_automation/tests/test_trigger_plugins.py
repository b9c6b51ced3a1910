# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger types are plug-ins: each declares what the engine needs, and the
core names none of them (a further module adds one without touching it)."""

import ast
from pathlib import Path

from odoo.tests import tagged

from .common import StageCase

ADDON = Path(__file__).resolve().parent.parent
# the core: what every type goes through, and must not name any type
CORE_FILES = [
    "models/crm_workflow_rule.py",
    "models/crm_workflow_rule_design.py",
    "models/crm_workflow_trigger.py",
    "models/crm_workflow_action.py",
    "models/crm_workflow_run.py",
    "models/crm_workflow_robot.py",
    "models/crm_workflow_job_runner.py",
    "models/crm_workflow_job_working_time.py",
    "models/crm_workflow_engine.py",
    "models/crm_workflow_engine_matcher.py",
    "models/crm_workflow_engine_stage.py",
    "wizard/crm_workflow_explain.py",
    "wizard/crm_workflow_preview.py",
    "wizard/crm_workflow_test_run.py",
]


def named_strings(path):
    """The string constants of a file, except a field's ``default=``."""
    tree = ast.parse(path.read_text())
    defaults = {
        id(keyword.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "default"
    }
    return {
        (node.value, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in defaults
    }


@tagged("post_install", "-at_install")
class TestTriggerPlugins(StageCase):
    def test_every_type_declares_its_events_and_words(self):
        Rule, Trigger = self.env["crm.workflow.rule"], self.Trigger
        labels = {**Rule._trigger_event_labels(), **Trigger._trigger_event_labels()}
        for Model, keys in (
            (Rule, Rule._trigger_keys()),
            (Trigger, Trigger._trigger_keys()),
        ):
            self.assertTrue(keys)
            for key in keys:
                with self.subTest(model=Model._name, type=key):
                    hook = Model._trigger_hook("events", key)
                    self.assertTrue(hook, "a type says which events feed it")
                    events = hook()
                    self.assertTrue(events)
                    for kind in events:
                        self.assertIn(kind, labels, "the run log has words for it")
                    self.assertTrue(
                        Model._trigger_hook("icon", key)().startswith("fa-")
                    )

    def test_the_core_names_no_type(self):
        Rule = self.env["crm.workflow.rule"]
        keys = set(Rule._trigger_keys()) | set(self.Trigger._trigger_keys())
        # an engine event may share a type's name ("activity_done" is what
        # the activity hook tells): the core may name events, not types
        events = set(Rule._event_triggers())
        events |= {
            kind for kinds in self.Trigger._trigger_events().values() for kind in kinds
        }
        keys -= events
        for name in CORE_FILES:
            with self.subTest(file=name):
                found = sorted(
                    (value, line)
                    for value, line in named_strings(ADDON / name)
                    if value in keys
                )
                self.assertEqual(found, [], f"{name} names a trigger type")

    def test_the_index_maps_events_from_the_types(self):
        mapping = self.env["crm.workflow.rule"]._event_triggers()
        self.assertEqual(mapping["create"], ("on_create", "on_create_or_write"))
        self.assertEqual(mapping["write"], ("on_write", "on_create_or_write"))
        self.assertEqual(mapping["date"], ("on_date",))
        stage = self.Trigger._trigger_events()
        self.assertEqual(stage["won"], ("write",))
        self.assertEqual(stage["field_match"], ("create", "write"))

    def test_emit_runs_the_rules_and_triggers_of_a_kind(self):
        engine = self.env["crm.workflow.engine"]
        lead = self.new_lead()
        self.assertFalse(engine._listens("activity_done", "crm.lead"))
        # nobody listens: nothing happens, nothing fails
        engine._emit("activity_done", "crm.lead", lead.ids, {})
        rule = self.make_rule(
            trigger="on_activity_done",
            model_id=self.env["ir.model"]._get_id("crm.lead"),
            actions=[self.set_priority("3")],
        )
        trigger = self.trigger(self.s2, "activity_done")
        self.assertTrue(engine._listens("activity_done", "crm.lead"))
        engine._emit("activity_done", "crm.lead", lead.ids, {"activity_types": {}})
        lead = self.read_back(lead)
        self.assertEqual(lead.priority, "3")
        self.assertEqual(lead.stage_id, self.s2)
        run = self.runs(rule, lead)
        self.assertEqual(run.event_description, "Activity done")
        moved = (
            self.env["crm.workflow.run"]
            .sudo()
            .search([("trigger_id", "=", trigger.id), ("res_id", "=", lead.id)])
        )
        self.assertEqual(len(moved), 1)
        self.assertEqual(moved.event_description, "Activity done")

    def test_board_card_shows_the_type_icon(self):
        trigger = self.trigger(self.s2, "won")
        board = self.env["crm.workflow.robot"].with_user(self.sales_manager)
        data = board.get_board(self.team.id)
        cards = [t for column in data["columns"] for t in column["triggers"]]
        card = next(c for c in cards if c["id"] == trigger.id)
        self.assertEqual(card["icon"], "fa-trophy")
