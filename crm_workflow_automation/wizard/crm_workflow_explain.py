# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression


class CrmWorkflowExplain(models.TransientModel):
    """Why did it (not) fire? For one record of any model with rules: each
    rule and automation rule of its model, step by step as the engine goes
    (pause, trigger and watched fields, each condition leaf by leaf, first
    time only, loop guard), with what the run log says. Filled at create;
    it only reads."""

    _name = "crm.workflow.explain"
    _description = "Why did the workflow (not) fire?"

    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", required=True, readonly=True
    )
    last_event = fields.Text(string="Last event", readonly=True)
    line_ids = fields.One2many(
        "crm.workflow.explain.line", "explain_id", string="Rules and steps"
    )

    @api.model_create_multi
    def create(self, vals_list):
        explains = super().create(vals_list)
        for explain in explains:
            explain._fill()
        return explains

    @api.model
    def action_explain(self, res_model, res_id):
        """The generic entry point: the explanation of any record, as a
        dialog (a button or a server action of any model calls it)."""
        explain = self.create({"res_model": res_model, "res_id": res_id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Why did it (not) fire?"),
            "res_model": self._name,
            "res_id": explain.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # the steps
    # ------------------------------------------------------------------

    def _record(self):
        if self.res_model not in self.env:
            raise UserError(
                self.env._("Unknown record type %(model)s.", model=self.res_model)
            )
        record = self.env[self.res_model].with_context(active_test=False)
        record = record.browse(self.res_id).exists()
        if not record:
            raise UserError(self.env._("The record does not exist any more."))
        record.check_access("read")
        return record.sudo()

    def _fill(self):
        record = self._record()
        event = self._last_event(record)
        lines = []
        Rule = self.env["crm.workflow.rule"].sudo().with_context(active_test=False)
        rules = Rule.search([("model_name", "=", record._name)])
        # the running rules first, then the paused and inactive ones
        for rule in rules.sorted(lambda r: not r.active or r.paused):
            lines += self._explain_rule(rule, record, event)
        if record._name == "crm.lead":
            Robot = (
                self.env["crm.workflow.robot"].sudo().with_context(active_test=False)
            )
            for robot in Robot.search([], order="stage_id, sequence, id"):
                lines += self._explain_robot(robot, record)
        self.write(
            {
                "last_event": event["text"],
                "line_ids": [
                    (0, 0, dict(values, sequence=number))
                    for number, values in enumerate(lines, start=1)
                ],
            }
        )

    def _when(self, moment):
        if not moment:
            return ""
        return fields.Datetime.context_timestamp(self, moment).strftime(
            "%Y-%m-%d %H:%M"
        )

    def _last_event(self, record):
        """What last happened to the record, as far as its dates and its
        chatter's tracking tell: created, or edited (with the tracked fields
        that changed, when the last edit was tracked)."""
        created = record.create_date
        written = record.write_date
        if created and written and written - created <= timedelta(seconds=2):
            return {
                "kind": "create",
                "changed": None,
                "text": self.env._("Created on %(date)s.", date=self._when(created)),
            }
        message = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("tracking_value_ids", "!=", False),
                ],
                order="id desc",
                limit=1,
            )
        )
        changed = None
        text = self.env._("Edited on %(date)s.", date=self._when(written))
        if message and written and message.date >= written - timedelta(seconds=2):
            changed = set(message.tracking_value_ids.field_id.mapped("name"))
            text = self.env._(
                "Edited on %(date)s: %(fields)s changed.",
                date=self._when(written),
                fields=", ".join(
                    message.tracking_value_ids.field_id.mapped("field_description")
                ),
            )
        return {"kind": "write", "changed": changed, "text": text}

    def _line(self, owner, step, result, detail, condition=None):
        return {
            "rule_id": owner.id if owner._name == "crm.workflow.rule" else False,
            "robot_id": owner.id if owner._name == "crm.workflow.robot" else False,
            "step": step,
            "result": result,
            "detail": detail,
            "condition_id": condition.id if condition else False,
        }

    def _explain_rule(self, rule, record, event):
        engine = self.env["crm.workflow.engine"]
        lines = []
        reasons = []
        if not rule.active:
            lines.append(
                self._line(rule, "pause", "no", self.env._("The rule is inactive."))
            )
            reasons.append(self.env._("inactive"))
        elif rule.paused:
            lines.append(
                self._line(
                    rule,
                    "pause",
                    "no",
                    self.env._(
                        "The rule is paused: %(reason)s", reason=rule.pause_reason or ""
                    ),
                )
            )
            reasons.append(self.env._("paused"))
        result, detail = self._trigger_match(rule, record, event)
        lines.append(self._line(rule, "trigger", result, detail))
        if result == "no":
            reasons.append(self.env._("the last event is not its trigger"))
        matched, condition_lines = self._conditions(rule, record)
        lines += condition_lines
        if not matched:
            reasons.append(self.env._("no condition is met"))
        if rule.repeat_mode == "first_match":
            if engine._already_done(rule, [record.id]):
                lines.append(
                    self._line(
                        rule,
                        "first_match",
                        "no",
                        self.env._(
                            "Only the first time: the rule already ran for this record."
                        ),
                    )
                )
                reasons.append(self.env._("it already ran once"))
            else:
                lines.append(
                    self._line(
                        rule,
                        "first_match",
                        "yes",
                        self.env._("Only the first time: it has not run yet."),
                    )
                )
        lines += self._log_lines(rule, record, [("rule_id", "=", rule.id)])
        if reasons:
            verdict = self._line(
                rule,
                "verdict",
                "no",
                self.env._("Would not fire: %(reasons)s.", reasons="; ".join(reasons)),
            )
        else:
            verdict = self._line(
                rule,
                "verdict",
                "yes",
                self.env._(
                    "Fires on this event: the actions of “%(condition)s” run.",
                    condition=matched.display_name,
                ),
            )
        return lines + [verdict]

    def _trigger_match(self, rule, record, event):
        """(state, words) of the rule's trigger against the record's last
        event, as the trigger type tells it (``_trigger_explain_<type>``)."""
        label = rule._trigger_label()
        hook = rule._trigger_hook("explain")
        if hook:
            return hook(self, record, event, label)
        return "info", self.env._(
            "Trigger: %(trigger)s (not told by the record's last edit).",
            trigger=label,
        )

    def _kind_match(self, event, kinds, label):
        """(state, words) for a trigger that the events of ``kinds`` fire."""
        if event["kind"] in kinds:
            return "yes", self.env._(
                "Trigger: %(trigger)s; matches the last event.", trigger=label
            )
        return "no", self.env._(
            "Trigger: %(trigger)s; the last event was another one.", trigger=label
        )

    def _conditions(self, rule, record):
        """(condition that wins or None, lines): each condition evaluated on
        the record now, leaf by leaf; the first one met wins."""
        lines = []
        company = rule._company_domain(record)
        if company and not self._meets(record, company):
            lines.append(
                self._line(
                    rule,
                    "condition",
                    "no",
                    self.env._("The record belongs to another company than the rule."),
                )
            )
            return None, lines
        winner = None
        for condition in rule.condition_ids:
            if condition.is_fallback:
                ok = winner is None
                lines.append(
                    self._line(
                        rule,
                        "condition",
                        "yes" if ok else "no",
                        self.env._(
                            "All other records: the record meets no other condition."
                        )
                        if ok
                        else self.env._(
                            "All other records: another condition was met."
                        ),
                        condition,
                    )
                )
                if ok:
                    winner = condition
                continue
            try:
                domain = condition._eval_domain()
            except Exception as e:  # shown, not raised
                lines.append(self._line(rule, "condition", "no", str(e), condition))
                continue
            ok = self._meets(record, domain)
            detail = [
                self.env._("“%(condition)s” is met.", condition=condition.display_name)
                if ok
                else self.env._(
                    "“%(condition)s” is not met.", condition=condition.display_name
                )
            ]
            detail += self._leaves(record, domain)
            if ok and winner is not None:
                detail.append(
                    self.env._("An earlier condition wins: its actions do not run.")
                )
            lines.append(
                self._line(
                    rule,
                    "condition",
                    "yes" if ok else "no",
                    "\n".join(detail),
                    condition,
                )
            )
            if ok and winner is None:
                winner = condition
        return winner, lines

    def _meets(self, record, domain):
        engine = self.env["crm.workflow.engine"]
        return bool(engine._search_ids(record._name, [record.id], domain))

    def _leaves(self, record, domain):
        """One line per leaf of the domain: true or false for the record, with
        the record's value of a failed leaf."""
        lines = []
        fields_ = record._fields
        for leaf in domain:
            if not expression.is_leaf(leaf) or leaf in (
                expression.TRUE_LEAF,
                expression.FALSE_LEAF,
            ):
                continue
            path, operator, value = leaf
            fname = str(path).split(".")[0]
            field = fields_.get(fname)
            label = field._description_string(self.env) if field else fname
            if path != fname:
                label = f"{label} ({path})"
            text = f"{label} {operator} {value!r}"
            if self._meets(record, [leaf]):
                lines.append(self.env._("✓ %(leaf)s: true", leaf=text))
                continue
            current = (
                self.env["crm.workflow.action"]._test_value(record, fname)
                if field
                else ""
            )
            lines.append(
                self.env._(
                    "✗ %(leaf)s: false (the record has %(value)s)",
                    leaf=text,
                    value=current,
                )
            )
        return lines

    def _log_lines(self, owner, record, domain):
        """What the run log says of this rule (or robot) and record: its last
        run, and a stop by the loop guard."""
        Run = self.env["crm.workflow.run"].sudo()
        base = [("res_model", "=", record._name), ("res_id", "=", record.id)] + domain
        lines = []
        stopped = Run.search(base + [("state", "=", "loop_stopped")], limit=1)
        if stopped:
            lines.append(
                self._line(
                    owner,
                    "loop_guard",
                    "no",
                    self.env._(
                        "Stopped by the loop guard on %(date)s: %(error)s",
                        date=self._when(stopped.create_date),
                        error=stopped.error or "",
                    ),
                )
            )
        last = Run.search(base, limit=1)
        states = dict(Run._fields["state"]._description_selection(self.env))
        if last:
            error = " (" + last.error + ")" if last.error else ""
            lines.append(
                self._line(
                    owner,
                    "log",
                    "info",
                    self.env._(
                        "Last run: %(date)s, %(state)s%(error)s",
                        date=self._when(last.create_date),
                        state=states.get(last.state, last.state),
                        error=error,
                    ),
                )
            )
        else:
            lines.append(
                self._line(
                    owner,
                    "log",
                    "info",
                    self.env._("The run log has no run for this record."),
                )
            )
        return lines

    def _explain_robot(self, robot, record):
        lines, reasons = [], []
        if not robot.active:
            lines.append(
                self._line(
                    robot, "pause", "no", self.env._("The automation rule is inactive.")
                )
            )
            reasons.append(self.env._("inactive"))
        if record.stage_id == robot.stage_id:
            lines.append(
                self._line(
                    robot,
                    "trigger",
                    "yes",
                    self.env._(
                        "Runs when the opportunity enters “%(stage)s”, where it is.",
                        stage=robot.stage_id.display_name,
                    ),
                )
            )
        else:
            lines.append(
                self._line(
                    robot,
                    "trigger",
                    "no",
                    self.env._(
                        "Runs when the opportunity enters “%(stage)s”; it is in "
                        "“%(current)s”.",
                        stage=robot.stage_id.display_name,
                        current=record.stage_id.display_name or "—",
                    ),
                )
            )
            reasons.append(self.env._("the opportunity is in another stage"))
        try:
            domain = robot._scope_domain()
        except Exception as e:  # shown, not raised
            domain = None
            lines.append(self._line(robot, "condition", "no", str(e)))
            reasons.append(self.env._("its condition is not valid"))
        if domain:
            ok = self._meets(record, domain)
            detail = [
                self.env._("The condition is met.")
                if ok
                else self.env._("The condition is not met.")
            ] + self._leaves(record, domain)
            lines.append(
                self._line(robot, "condition", "yes" if ok else "no", "\n".join(detail))
            )
            if not ok:
                reasons.append(self.env._("no condition is met"))
        lines += self._log_lines(robot, record, [("robot_id", "=", robot.id)])
        if reasons:
            verdict = self._line(
                robot,
                "verdict",
                "no",
                self.env._("Would not run: %(reasons)s.", reasons="; ".join(reasons)),
            )
        else:
            verdict = self._line(
                robot,
                "verdict",
                "yes",
                self.env._("Runs when the opportunity enters its stage."),
            )
        return lines + [verdict]
