# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Design-time tools of a rule, before it is activated: the Preview and
Test run buttons, and the analysis of loops between rules."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    loop_warning = fields.Text(
        compute="_compute_loop_warning",
        help="Rules whose actions change fields that the others watch, in a cycle.",
    )

    def action_preview(self):
        """What the rule would concern now (counts, samples, due times)."""
        self.ensure_one()
        preview = self.env["crm.workflow.preview"].create({"rule_id": self.id})
        return preview._action_open()

    def action_backtest(self):
        """What the rule would have done over the last 30 days."""
        self.ensure_one()
        wizard = self.env["crm.workflow.backtest"].create({"rule_id": self.id})
        return wizard._action_open()

    def action_test_run(self):
        """Try the rule on one record; nothing is kept."""
        self.ensure_one()
        wizard = self.env["crm.workflow.test.run"].create({"rule_id": self.id})
        return wizard._action_open()

    # ------------------------------------------------------------------
    # loop analysis: rules (and stage automation) whose writes feed each other
    # ------------------------------------------------------------------

    @api.depends(
        "model_id",
        "trigger",
        "trigger_field_ids",
        "condition_ids.action_ids.action_type",
        "condition_ids.action_ids.update_field_id",
        "condition_ids.action_ids.target_stage_id",
    )
    def _compute_loop_warning(self):
        for rule in self:
            cycles = rule._loop_cycles() if rule.model_name else []
            if not cycles:
                rule.loop_warning = False
                continue
            rule.loop_warning = "\n".join(
                [
                    self.env._(
                        "These rules change fields that the others watch: they may "
                        "fire each other in a loop, until the loop guard stops the "
                        "chain."
                    )
                ]
                + [rule._describe_cycle(cycle) for cycle in cycles]
            )

    def _loop_nodes(self):
        """[(key, name, watched, written, stages)] of this rule and of what
        it may feed or be fed by: the other active rules of its model, and on
        leads the active robots (they watch the entry in their stage) and
        triggers (they move leads to their stage). ``watched`` is a set of
        field names, or None for any field; ``stages`` the stage ids written
        to ``stage_id`` (None: unknown), or for a robot the stage it watches."""
        self.ensure_one()
        rule = self.sudo()
        others = rule.search(
            [("model_name", "=", rule.model_name), ("id", "!=", rule._origin.id)]
        ).filtered(lambda r: not r.paused)
        nodes = [rule._loop_node(rule)] + [rule._loop_node(r) for r in others]
        if rule.model_name == "crm.lead":
            for robot in self.env["crm.workflow.robot"].sudo().search([]):
                written = robot.action_id._fields_written()
                nodes.append(
                    (
                        ("robot", robot.id),
                        robot.display_name,
                        {"stage_id"},
                        written,
                        {robot.stage_id.id},
                        rule._stages_written(robot.action_id),
                    )
                )
            for trigger in self.env["crm.workflow.trigger"].sudo().search([]):
                nodes.append(
                    (
                        ("trigger", trigger.id),
                        trigger.display_name,
                        trigger._loop_watched(),
                        {"stage_id"},
                        None,
                        {trigger.stage_id.id},
                    )
                )
        return nodes

    def _loop_node(self, rule):
        watched = rule._trigger_loop_watched()
        written, stages = set(), set()
        actions = rule.condition_ids.with_context(active_test=False).action_ids
        for action in actions:
            written |= action._fields_written()
            action_stages = self._stages_written(action)
            stages = (
                None
                if stages is None or action_stages is None
                else (stages | action_stages)
            )
        return (("rule", rule.id), rule.display_name, watched, written, None, stages)

    def _stages_written(self, action):
        """Stage ids an action moves records to, None when unknown."""
        if "stage_id" not in action._fields_written():
            return set()
        stage = getattr(action, "target_stage_id", False)
        return {stage.id} if stage else None

    @api.model
    def _loop_edge(self, source, target):
        """Fields through which ``source`` fires ``target``, or an empty set."""
        __, __, __, written, __, stages = source
        __, __, watched, __, watched_stages, __ = target
        if not written:
            return set()
        fields_ = set(written) if watched is None else written & watched
        if "stage_id" in fields_ and watched_stages is not None and stages is not None:
            if not stages & watched_stages:
                fields_.discard("stage_id")
        return fields_

    def _loop_cycles(self, max_length=5, max_cycles=3):
        """Simple cycles through this rule: lists of hops (source node,
        fields, target node)."""
        nodes = self._loop_nodes()
        edges = [
            [(j, self._loop_edge(source, target)) for j, target in enumerate(nodes)]
            for source in nodes
        ]
        cycles = []

        def walk(path, hops):
            last = path[-1]
            for j, fields_ in edges[last]:
                if len(cycles) >= max_cycles or not fields_ or j == last:
                    continue
                if j == 0:
                    cycles.append(hops + [(last, fields_, 0)])
                elif j not in path and len(path) < max_length:
                    walk(path + [j], hops + [(last, fields_, j)])

        walk([0], [])
        return [[(nodes[i], f, nodes[j]) for i, f, j in cycle] for cycle in cycles]

    def _describe_cycle(self, cycle):
        """“A” changes Priority, which “B” watches → “B” changes Stage, which
        “A” watches."""
        fields_ = self.env[self.model_name]._fields
        steps = []
        for source, names, target in cycle:
            labels = ", ".join(
                sorted(
                    fields_[n]._description_string(self.env) if n in fields_ else n
                    for n in names
                )
            )
            steps.append(
                self.env._(
                    "“%(rule)s” changes %(fields)s, which “%(target)s” watches",
                    rule=source[1],
                    fields=labels,
                    target=target[1],
                )
            )
        return " → ".join(steps)
