# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Random configurations, property-based (hypothesis): rules, robots,
triggers and the functions they call, with every field a form offers, the
empty ones included (company, user, team, template, stage...). Those the
save accepts run on a batch of leads created, edited, mailed, given an
activity, moved to another stage, won and lost, and then on their jobs (date
rules included). No save of the user may fail for a reason of ours: it goes
through, or a rule set to "block" refuses it with the clear message of the
action that refused (a UserError, never a crash); and no failure the run log
shows is one of Python's or PostgreSQL's own.

CWA_CONFIG_EXAMPLES sets the number of configurations (CI: 15, derandomized;
a few hundred to explore)."""

# pylint: disable=print-used  # the FAULT line is the test's report (pytest -s)

import contextlib
import os
import re
from datetime import datetime, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import WorkflowCase

EXAMPLES = settings(
    max_examples=int(os.environ.get("CWA_CONFIG_EXAMPLES", 15)),
    deadline=None,
    derandomize=not os.environ.get("CWA_CONFIG_EXAMPLES"),
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# a failure text of the run log that is Python's or PostgreSQL's, not ours
INTERNAL = re.compile(
    r"object has no attribute|NoneType|not subscriptable|unsupported operand|"
    r"takes \d+ positional|unexpected keyword|object is not|psycopg2|violates|"
    r"DatatypeMismatch|invalid input syntax|Traceback|KeyError|IndexError|"
    r"is of type|current transaction is aborted|can't compare|"
    r"Expected singleton|out of range"
)
ACTION_TYPES = (
    "email",
    "activity",
    "field_update",
    "webhook",
    "function",
    "assign_owner",
    "add_tags",
    "remove_tags",
    "set_stage",
    "convert",
    "notify",
    "add_followers",
    "server_action",
)
RULE_TRIGGERS = (
    "on_create",
    "on_write",
    "on_create_or_write",
    "on_date",
    "on_message_received",
    "on_message_sent",
    "on_activity_done",
)
STAGE_TRIGGERS = (
    "field_match",
    "email_received",
    "email_sent",
    "activity_done",
    "won",
    "lost",
    "inactivity",
)
DOMAINS = (
    False,
    "[]",
    "[('expected_revenue', '>', 100)]",
    "[('user_id', '=', False)]",
    "[('priority', 'in', ['2', '3'])]",
    "['|', ('email_from', '!=', False), ('partner_id', '=', False)]",
)
CODES = (
    "pass",
    "result = len(records)",
    "records.write({'priority': '1'})",
    "result = [r.name for r in records]",
)
TALLY = {"tried": 0, "refused": 0, "ran": 0, "blocked": 0}


class _Rollback(Exception):
    pass


@tagged("post_install", "-at_install")
class TestRandomConfigurations(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "127.0.0.1"
        )
        cls.company2 = cls.env["res.company"].create({"name": "Second (configs)"})
        cls.developer = new_test_user(
            cls.env,
            login="cwa_configs_developer",
            name="Config Developer",
            groups="sales_team.group_sale_manager,"
            "crm_workflow_automation.group_workflow_developer",
            company_ids=[Command.set([cls.company.id, cls.company2.id])],
        )
        cls.salesman.company_ids = [Command.link(cls.company2.id)]
        cls.tags = cls.env["crm.tag"].create([{"name": "Hot"}, {"name": "Cold"}])
        lead_model = cls.env["ir.model"]._get("crm.lead")
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Configs template",
                "model_id": lead_model.id,
                "subject": "About {{ object.name }}",
                "body_html": "<p>Hello</p>",
            }
        )
        cls.server_action = cls.env["ir.actions.server"].create(
            {
                "name": "Configs server action",
                "model_id": lead_model.id,
                "state": "code",
                "code": "records.write({'referred': 'server action'})",
            }
        )
        cls.functions = cls.env["crm.workflow.function"].create(
            [
                {
                    "name": f"Configs function {n}",
                    "api_name": f"tests_configs_{n}",
                    "code": code,
                    "model_id": lead_model.id if n % 2 else False,
                }
                for n, code in enumerate(CODES)
            ]
        )
        cls.activity_type = cls.env.ref("mail.mail_activity_data_todo")
        cls.stages = cls.stage_new | cls.stage_qualified | cls.stage_won
        cls.partner = cls.env["res.partner"].create({"name": "Configs partner"})

    @classmethod
    def tearDownClass(cls):
        print(
            f"\nFAULT random configurations: {TALLY['tried']} tried, "
            f"{TALLY['refused']} refused at save, {TALLY['ran']} run on leads "
            f"({TALLY['blocked']} saves refused by a blocking rule), 0 crashes"
        )
        super().tearDownClass()

    # -- strategies (drawn inside the test: they name this class's records) --

    def one(self, data, values):
        return data.draw(st.sampled_from(values))

    def maybe(self, data, record):
        """A many2one a form lets the user leave empty (one in four: most
        types need it, and a refused save tests less)."""
        return self.one(data, (False, record.id, record.id, record.id))

    def draw_action(self, data, robot=False):
        kind = self.one(data, ACTION_TYPES)
        one = lambda values: self.one(data, values)  # noqa: E731
        vals = {"action_type": kind, "name": one((False, "", "Step"))}
        self.draw_timing(data, vals, robot)
        if kind == "email":
            vals.update(
                mail_template_id=self.maybe(data, self.template),
                email_recipients=one(
                    (
                        "customer",
                        "followers",
                        "owner",
                        "team_leader",
                        "users",
                        "addresses",
                    )
                ),
                email_addresses=one((False, "a@example.com, b@example.com")),
                user_ids=one(([], [Command.set(self.salesman.ids)])),
            )
        elif kind == "activity":
            vals.update(
                activity_type_id=self.maybe(data, self.activity_type),
                activity_summary=one((False, "Call back")),
                activity_due_days=one((-2, 0, 5)),
                activity_user_type=one(("owner", "user", "field")),
                activity_user_id=self.maybe(data, self.salesman2),
                activity_user_field_id=one((False, self.field("user_id").id)),
            )
        elif kind == "field_update":
            self.draw_field_update(data, vals)
        elif kind == "webhook":
            vals.update(
                webhook_url="http://127.0.0.1:9/hook",
                webhook_method=one(("POST", "GET")),
                webhook_field_ids=one(([], [Command.set([self.field("name").id])])),
            )
        elif kind == "function":
            vals["function_id"] = one(self.functions.ids)
        elif kind == "assign_owner":
            vals.update(
                assign_mode=one(("user", "round_robin")),
                assign_user_id=self.maybe(data, self.salesman2),
                user_ids=one(([], [Command.set((self.salesman | self.salesman2).ids)])),
            )
        elif kind in ("add_tags", "remove_tags"):
            vals["tag_ids"] = one(([], *[[Command.set(self.tags.ids)]] * 3))
        elif kind == "set_stage":
            vals["target_stage_id"] = self.maybe(data, self.stages[1:2])
            if vals["target_stage_id"] and one((False, True)):
                vals["target_stage_id"] = self.stage_won.id
        elif kind == "convert":
            vals["convert_partner_action"] = one(("create", "exist", "nothing"))
        elif kind == "notify":
            vals.update(
                notify_group_id=self.maybe(
                    data, self.env.ref("sales_team.group_sale_manager")
                ),
                notify_message=one((False, "<p>Look</p>")),
                user_ids=one(([], [Command.set(self.salesman.ids)])),
            )
        elif kind == "add_followers":
            vals.update(
                partner_ids=one(([], [Command.set(self.partner.ids)])),
                user_ids=one(([], [Command.set(self.salesman2.ids)])),
            )
        elif kind == "server_action":
            vals["server_action_id"] = self.maybe(data, self.server_action)
        return vals

    def draw_timing(self, data, vals, robot):
        one = lambda values: self.one(data, values)  # noqa: E731
        if not robot:
            vals["timing"] = one(("instant", "scheduled"))
        if robot or vals["timing"] == "scheduled":
            vals.update(
                delay_amount=one((0, 1, 3)),
                delay_unit=one(("minutes", "hours", "days", "weeks", "months")),
                delay_at_time=one((False, True)),
                delay_time_of_day=one((0.0, 9.5, 23.75)),
            )
            if not robot:
                vals.update(
                    delay_anchor=one(("trigger", "date_field")),
                    delay_date_field_id=one((False, self.field("date_deadline").id)),
                    recheck_condition=one((False, True)),
                )

    def draw_field_update(self, data, vals):
        one = lambda values: self.one(data, values)  # noqa: E731
        fname = one(
            (
                "priority",
                "description",
                "expected_revenue",
                "date_deadline",
                "user_id",
                "tag_ids",
                "name",
                "referred",
            )
        )
        vals["update_field_id"] = self.field(fname).id
        if one(("value", "value", "expression")) == "expression":
            vals.update(
                update_mode="expression",
                update_expression={
                    "priority": "'1'",
                    "expected_revenue": "record.expected_revenue * 1.1",
                    "date_deadline": "context_today() + relativedelta(days=3)",
                    "user_id": "user.id",
                    "tag_ids": "[]",
                }.get(fname, "(record.name or '') + ' (checked)'"),
            )
            return
        if fname == "priority":
            selection = self.env["ir.model.fields.selection"].search(
                [("field_id", "=", vals["update_field_id"])]
            )
            vals.update(
                update_selection_value=one((False, *selection.ids)),
                update_value=one((False, "1")),
            )
        elif fname == "expected_revenue":
            vals["update_value"] = one((False, "", "0", "12.5", "-3"))
        elif fname == "date_deadline":
            vals["update_value"] = one((False, "2027-01-31"))
        elif fname == "user_id":
            vals["update_record_ref"] = one((False, f"res.users,{self.salesman.id}"))
        elif fname == "tag_ids":
            vals.update(
                update_m2m_operation=one(("add", "remove", "set", "clear")),
                update_record_ref=f"crm.tag,{self.tags[0].id}",
            )
        else:
            vals["update_value"] = one((False, "", "Set by a rule"))

    def draw_rule(self, data):
        one = lambda values: self.one(data, values)  # noqa: E731
        trigger = one(RULE_TRIGGERS)
        vals = {
            "name": one(("Random rule", "R")),
            "trigger": trigger,
            "repeat_mode": one(("every_time", "first_match")),
            "on_error": one(("log", "log", "block")),
            "company_id": one((False, self.company.id, self.company2.id)),
            "user_id": one((False, self.sales_manager.id, self.salesman.id)),
            "run_as_superuser": one((False, False, True)),
        }
        if trigger in ("on_write", "on_create_or_write"):
            vals["trigger_field_ids"] = one(
                (
                    [],
                    [Command.set([self.field("stage_id").id])],
                    [Command.set([self.field("user_id").id, self.field("name").id])],
                )
            )
        if trigger == "on_date":
            vals.update(
                date_field_id=self.field(one(("date_deadline", "create_date"))).id,
                date_offset=one((-1, 0, 2)),
                date_offset_unit=one(("minutes", "hours", "days", "weeks", "months")),
                date_recurrence=one(("once", "monthly", "yearly")),
                date_include_overdue=one((False, True)),
            )
        if trigger == "on_activity_done":
            vals["activity_type_ids"] = one(([], [Command.set(self.activity_type.ids)]))
        conditions = []
        for sequence in range(one((1, 1, 2))):
            actions = [
                Command.create(self.draw_action(data))
                for __ in range(one((0, 1, 2, 3)))
            ]
            conditions.append(
                Command.create(
                    {
                        "sequence": sequence,
                        "name": one((False, "Branch")),
                        "domain": one(DOMAINS),
                        "is_fallback": bool(sequence) and one((False, True)),
                        "action_ids": actions,
                    }
                )
            )
        vals["condition_ids"] = conditions
        return vals

    def draw_robot(self, data):
        one = lambda values: self.one(data, values)  # noqa: E731
        return {
            **self.draw_action(data, robot=True),
            "stage_id": one(self.stages.ids),
            "team_id": self.maybe(data, self.team),
            "domain": one(DOMAINS),
            "execution_mode": one(("parallel", "after_previous")),
            "keep_on_leave": one((False, True)),
            "user_id": one((False, self.sales_manager.id)),
        }

    def draw_trigger(self, data):
        one = lambda values: self.one(data, values)  # noqa: E731
        kind = one(STAGE_TRIGGERS)
        vals = {
            "name": one(("Random trigger", "T")),
            "stage_id": one(self.stages.ids),
            "team_id": self.maybe(data, self.team),
            "trigger_type": kind,
            "domain": one(DOMAINS),
            "allow_backward": one((False, True)),
        }
        if kind == "activity_done":
            vals["activity_type_ids"] = one(([], [Command.set(self.activity_type.ids)]))
        if kind == "inactivity":
            vals["inactivity_days"] = one((0, 1, 30))
        return vals

    # -- the property ------------------------------------------------------

    @EXAMPLES
    @given(data=st.data())
    def test_random_configurations_never_break_a_save(self, data):
        configs = [
            ("crm.workflow.rule", self.draw_rule(data))
            for __ in range(self.one(data, (0, 1, 2)))
        ]
        configs += [
            ("crm.workflow.robot", self.draw_robot(data))
            for __ in range(self.one(data, (0, 1, 2)))
        ]
        configs += [
            ("crm.workflow.trigger", self.draw_trigger(data))
            for __ in range(self.one(data, (0, 1)))
        ]
        TALLY["tried"] += 1
        try:
            with contextlib.suppress(_Rollback), self.env.cr.savepoint():
                blocking = False
                for model, vals in configs:
                    try:
                        with self.env.cr.savepoint():
                            record = self.env[model].with_user(self.developer)
                            record = record.create(vals)
                            record.env.flush_all()
                    except UserError as e:
                        TALLY["refused"] += 1
                        if os.environ.get("CWA_CONFIG_VERBOSE"):
                            print(f"refused {model}: {e}")
                        continue
                    blocking |= getattr(record, "on_error", "log") == "block"
                TALLY["ran"] += 1
                self.push_leads(blocking, configs)
                raise _Rollback()
        finally:
            self.env.invalidate_all()
            self.env.registry.clear_cache()

    def save(self, blocking, configs, operation):
        """Run one save of the user: it goes through, or a blocking rule
        refuses it with a clear message of ours."""
        try:
            with self.env.cr.savepoint():
                operation()
                self.env.flush_all()
        except UserError as e:
            cause = e.__cause__
            self.assertTrue(
                blocking and (cause is None or isinstance(cause, UserError)),
                f"a save failed with {e!r} (cause {cause!r}) for {configs}",
            )
            TALLY["blocked"] += 1
        except Exception as e:
            raise AssertionError(f"a save crashed with {e!r} for {configs}") from e

    def push_leads(self, blocking, configs):
        self.env.flush_all()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM crm_workflow_run")
        last_run = self.env.cr.fetchone()[0]
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM crm_workflow_job")
        last_job = self.env.cr.fetchone()[0]
        as_salesman = self.env(user=self.salesman)
        Lead = as_salesman["crm.lead"].with_context(
            allowed_company_ids=[self.company.id, self.company2.id]
        )
        leads = Lead.browse()

        def create():
            nonlocal leads
            leads = Lead.create(
                [
                    {
                        "name": "Configs lead A",
                        "type": "opportunity",
                        "user_id": self.salesman.id,
                        "team_id": self.team.id,
                        "stage_id": self.stage_new.id,
                        "expected_revenue": 500.0,
                        "date_deadline": datetime.now().date() + timedelta(days=1),
                        "email_from": "a@example.com",
                    },
                    {
                        "name": "Configs lead B",
                        "type": "opportunity",
                        "user_id": False,
                        "team_id": False,
                        "stage_id": self.stage_new.id,
                    },
                    {
                        "name": "Configs lead C",
                        "type": "lead",
                        "company_id": self.company2.id,
                        "partner_id": self.partner.id,
                    },
                ]
            )

        self.save(blocking, configs, create)

        def writable(index=None):
            """The leads the salesman may still edit: a robot may have given
            one to another salesperson (Odoo's own record rules)."""
            self.env.invalidate_all()
            records = leads.exists()
            if index is not None:
                records = records[index : index + 1]
            return records._filtered_access("write")

        def activity_done():
            for lead in writable(0):
                activity = lead.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=self.salesman.id
                )
                activity.action_feedback(feedback="Done")

        operations = (
            lambda: writable().write({"expected_revenue": 4200.0, "priority": "2"}),
            lambda: writable(1).write({"user_id": self.salesman.id}),
            lambda: [
                lead.message_post(
                    body="Hello",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
                for lead in writable(0)
            ],
            activity_done,
            lambda: writable().write({"stage_id": self.stage_qualified.id}),
            lambda: writable(0).action_set_won(),
            lambda: writable(1).action_set_lost(),
        )
        for operation in operations:
            if leads:
                self.save(blocking, configs, operation)
        # the jobs (scheduled actions, robots' delays, date rules) as the
        # runner's cron runs them, a month and then a year later
        Job = self.env["crm.workflow.job"].sudo()
        for days in (31, 400):
            Job._run_due_jobs(
                automatic=False, now=datetime.now() + timedelta(days=days)
            )
        self.env.flush_all()
        Run = self.env["crm.workflow.run"].sudo()
        Run.invalidate_model()
        failed = Run.search([("id", ">", last_run), ("state", "=", "failed")])
        internal = [
            error for error in failed.mapped("error") if INTERNAL.search(error or "")
        ]
        self.assertFalse(internal, f"internal failures for {configs}")
        Job.invalidate_model()
        jobs = Job.search([("id", ">", last_job)])
        internal = [
            error for error in jobs.mapped("last_error") if INTERNAL.search(error or "")
        ]
        self.assertFalse(internal, f"internal job failures for {configs}")
        stuck = jobs.filtered(lambda job: job.state == "running")
        self.assertFalse(stuck, f"jobs left running for {configs}")
