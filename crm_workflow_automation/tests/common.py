# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers shared by the tests: rules built in one call, test users of each
group, and ``trap_jobs()`` to run the asynchronous part synchronously (as
queue_job's ``trap_jobs``)."""

import contextlib
import itertools
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

from ..exceptions import FunctionError

_function_numbers = itertools.count(1)
_numbers = itertools.count(1)
DEVELOPER = "crm_workflow_automation.group_workflow_developer"
ALLOWED_HOSTS = "crm_workflow_automation.webhook_allowed_hosts"
TIMEOUT = "crm_workflow_automation.webhook_timeout"
THRESHOLD = "crm_workflow_automation.failure_threshold"


class JobTrap:
    """The jobs enqueued inside a ``trap_jobs()`` block, and a way to run
    them now."""

    def __init__(self, env, first_id):
        self.env = env
        self.first_id = first_id

    @property
    def jobs(self):
        Job = self.env["crm.workflow.job"].sudo()
        Job.invalidate_model()
        return Job.search([("id", ">", self.first_id)], order="id")

    def assert_enqueued(
        self, count=None, action=None, rule=None, records=None, state=None
    ):
        jobs = self.jobs
        if action is not None:
            jobs = jobs.filtered(lambda j: j.action_id == action)
        if rule is not None:
            jobs = jobs.filtered(lambda j: j.rule_id == rule)
        if records is not None:
            jobs = jobs.filtered(lambda j: j.res_id in records.ids)
        if state is not None:
            jobs = jobs.filtered(lambda j: j.state == state)
        if count is not None:
            assert len(jobs) == count, (
                f"expected {count} job(s), found {len(jobs)}: {jobs}"
            )
        return jobs

    def run(self, at=None):
        """Run the trapped jobs due at ``at`` (default: now; pass a later time
        to run jobs scheduled in the future) as the runner cron would: claimed
        and run in batches, those they enqueue included (queue_job's
        ``perform_enqueued_jobs``). Jobs of other tests or of the demo data
        stay as they are. Returns the number of jobs run."""
        Job = self.env["crm.workflow.job"].sudo()
        at = at or fields.Datetime.now()
        done = 0
        while True:
            Job.flush_model()
            self.env.cr.execute(
                """SELECT id, state = 'running' FROM crm_workflow_job
                    WHERE id > %s
                      AND (state IN ('pending', 'failed') AND eta <= %s
                           OR state = 'running' AND claimed_at < %s)
                    ORDER BY eta, id""",
                [self.first_id, at, Job._stale_before(at)],
            )
            rows = self.env.cr.fetchall()
            if any(stale for __, stale in rows):
                # a trapped job whose worker died: only the runner's own claim
                # takes it back (with any other due job, as the cron would)
                claimed = Job._claim(now=at)
            else:
                due = [job_id for job_id, __ in rows]
                claimed = due and Job._claim(limit=len(due), now=at, ids=due)
            if not claimed:
                break
            Job.browse(claimed)._run_claimed()
            done += len(claimed)
        self.env.invalidate_all()
        return done

    def run_all(self, days=400):
        """Run every job due within ``days`` (retries included)."""
        return self.run(at=fields.Datetime.now() + timedelta(days=days))


class WorkflowCase(TransactionCase):
    """A clean stage for rules: no other active rule (the demo's are
    deactivated), a pipeline, and users of each group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.workflow.rule"].with_context(active_test=False).search([]).write(
            {"active": False}
        )
        cls.company = cls.env.company
        cls.sales_manager = new_test_user(
            cls.env,
            login="cwa_sales_manager",
            name="Sally Manager",
            email="sally@example.com",
            groups="sales_team.group_sale_manager",
        )
        cls.salesman = new_test_user(
            cls.env,
            login="cwa_salesman",
            name="Sam Salesman",
            email="sam@example.com",
            groups="sales_team.group_sale_salesman",
        )
        cls.salesman2 = new_test_user(
            cls.env,
            login="cwa_salesman2",
            name="Tina Salesman",
            email="tina@example.com",
            groups="sales_team.group_sale_salesman",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Direct Sales (tests)",
                "user_id": cls.sales_manager.id,
                "member_ids": [Command.set([cls.salesman.id, cls.salesman2.id])],
            }
        )
        cls.stage_new = cls.env["crm.stage"].create({"name": "T New", "sequence": 1})
        cls.stage_qualified = cls.env["crm.stage"].create(
            {"name": "T Qualified", "sequence": 2}
        )
        cls.stage_won = cls.env["crm.stage"].create(
            {"name": "T Won", "sequence": 70, "is_won": True}
        )
        cls.Lead = cls.env["crm.lead"]
        cls.Rule = cls.env["crm.workflow.rule"]

    # -- builders --------------------------------------------------------

    @classmethod
    def field(cls, name, model="crm.lead"):
        return cls.env["ir.model.fields"]._get(model, name)

    @classmethod
    def make_rule(
        cls, name="Test rule", trigger="on_create_or_write", conditions=None, **values
    ):
        """A rule with conditions [{'domain': ..., 'actions': [{...}], ...}];
        ``actions`` directly in the keyword arguments make one condition that
        matches every record."""
        actions = values.pop("actions", None)
        if conditions is None:
            conditions = [
                {"domain": values.pop("domain", "[]"), "actions": actions or []}
            ]
        condition_commands = []
        for sequence, condition in enumerate(conditions, start=1):
            condition = dict(condition)
            action_values = condition.pop("actions", [])
            condition.setdefault("sequence", sequence)
            condition["action_ids"] = [Command.create(dict(a)) for a in action_values]
            condition_commands.append(Command.create(condition))
        rule_values = {
            "name": name,
            "trigger": trigger,
            "condition_ids": condition_commands,
            **values,
        }
        names = rule_values.get("trigger_field_ids")
        if names and all(isinstance(n, str) for n in names):
            fields_ = [cls.field(n).id for n in names]
            rule_values["trigger_field_ids"] = [Command.set(fields_)]
        return cls.env["crm.workflow.rule"].create(rule_values)

    @classmethod
    def field_update(cls, field, value, **extra):
        return {
            "action_type": "field_update",
            "update_field_id": cls.field(field).id,
            "update_value": value,
            **extra,
        }

    @classmethod
    def function_action(cls, code, name="One-off code (tests)", **extra):
        """A function action calling a new function without arguments: what
        a rule that needs one-off code uses."""
        function = cls.env["crm.workflow.function"].create(
            {
                "name": name,
                "api_name": f"tests_function_{next(_function_numbers)}",
                "code": code,
            }
        )
        return {"action_type": "function", "function_id": function.id, **extra}

    @classmethod
    def set_priority(cls, value="3"):
        return {
            "action_type": "field_update",
            "update_field_id": cls.field("priority").id,
            "update_selection_value": cls.env["ir.model.fields.selection"]
            .search(
                [("field_id", "=", cls.field("priority").id), ("value", "=", value)]
            )
            .id,
        }

    # -- inspection -------------------------------------------------------

    def runs(self, rule=None, records=None, state=None):
        Run = self.env["crm.workflow.run"].sudo()
        domain = []
        if rule is not None:
            domain.append(("rule_id", "=", rule.id))
        if records is not None:
            domain += [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if state is not None:
            domain.append(("state", "=", state))
        Run.invalidate_model()
        return Run.search(domain)

    @contextlib.contextmanager
    def trap_jobs(self):
        Job = self.env["crm.workflow.job"].sudo()
        Job.flush_model()
        self.env.cr.execute("SELECT COALESCE(max(id), 0) FROM crm_workflow_job")
        yield JobTrap(self.env, self.env.cr.fetchone()[0])


class StageCase(WorkflowCase):
    """A pipeline of four stages of the test team (after Odoo's own stages),
    opportunities created by the salesperson, robots and triggers saved by
    the sales manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.workflow.robot"].search([]).write({"active": False})
        cls.env["crm.workflow.trigger"].search([]).write({"active": False})
        Stage = cls.env["crm.stage"]
        cls.s1, cls.s2, cls.s3, cls.s4 = (
            Stage.create({"name": name, "sequence": seq, "team_id": cls.team.id})
            for name, seq in (
                ("P New", 101),
                ("P Documents", 102),
                ("P Invoice", 103),
                ("P Delivery", 104),
            )
        )
        cls.developer = new_test_user(
            cls.env,
            login="cwa_robot_developer",
            name="Dev Robots",
            groups="sales_team.group_sale_manager,base.group_system",
        )
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Order received (tests)",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "subject": "Order {{ object.name }}",
                "body_html": "<p>A manager will call you.</p>",
            }
        )
        cls.Robot = cls.env["crm.workflow.robot"]
        cls.Trigger = cls.env["crm.workflow.trigger"]

    def robot(self, stage, user=None, **values):
        vals = {
            "stage_id": stage.id,
            "action_type": "field_update",
            "update_field_id": self.field("priority").id,
            "update_value": "2",
            **values,
        }
        return self.Robot.with_user(user or self.sales_manager).create(vals)

    def trigger(self, stage, trigger_type, **values):
        vals = {
            "name": values.pop("name", trigger_type),
            "stage_id": stage.id,
            "trigger_type": trigger_type,
            **values,
        }
        return self.Trigger.with_user(self.sales_manager).create(vals)

    def new_lead(self, name="Order", stage=None, **values):
        return self.Lead.with_user(self.salesman).create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": (stage or self.s1).id,
                **values,
            }
        )

    def move(self, leads, stage):
        leads.with_user(self.salesman).write({"stage_id": stage.id})

    def robot_runs(self, robot, records=None, state="done"):
        Run = self.env["crm.workflow.run"].sudo()
        Run.invalidate_model()
        domain = [("robot_id", "=", robot.id), ("state", "=", state)]
        if records is not None:
            domain.append(("res_id", "in", records.ids))
        return Run.search(domain)

    def read_back(self, records):
        self.env.invalidate_all()
        return records.with_env(self.env)


class WebhookCase(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ICP = cls.env["ir.config_parameter"].sudo()
        cls.ICP.set_param(ALLOWED_HOSTS, "127.0.0.1")

    def webhook_rule(self, url, trigger="on_create", rule_values=None, **action):
        """A rule whose only action sends every new lead to ``url``."""
        return self.make_rule(
            name="Push leads",
            trigger=trigger,
            user_id=self.sales_manager.id,
            actions=[
                {"action_type": "webhook", "webhook_url": url, "name": "Push", **action}
            ],
            **(rule_values or {}),
        )

    def assertAbout(self, moment, expected, seconds, msg=None):
        delta = abs((moment - expected).total_seconds())
        self.assertLessEqual(delta, seconds, msg or f"{moment} is not about {expected}")


class FunctionCase(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.developer = new_test_user(
            cls.env,
            login="cwa_fn_developer",
            name="Dev Eloper",
            email="dev@example.com",
            groups=f"sales_team.group_sale_manager,{DEVELOPER}",
        )
        cls.Function = cls.env["crm.workflow.function"].with_user(cls.developer)
        cls.lead_model = cls.env["ir.model"]._get("crm.lead")

    @classmethod
    def make_function(cls, code, arguments=(), **values):
        return cls.Function.create(
            {
                "name": values.pop("name", "Test function"),
                "api_name": values.pop("api_name", f"test_function_{next(_numbers)}"),
                "code": code,
                "argument_ids": [Command.create(dict(a)) for a in arguments],
                **values,
            }
        )

    def failing_call(self, function, user=None, records=None, args=None):
        """The FunctionError of a call (Odoo's assertRaises would roll back
        the call's log row with its savepoint)."""
        try:
            function.with_user(user or self.sales_manager)._call(
                records, args or {}, caller="button"
            )
        except FunctionError as e:
            return e
        self.fail("the call did not fail")

    def calls(self, function):
        Run = self.env["crm.workflow.run"].sudo()
        Run.invalidate_model()
        return Run.search([("function_id", "=", function.id)], order="id")


class JobCase(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_manager.tz = "Asia/Tokyo"
        cls.Job = cls.env["crm.workflow.job"].sudo()
        cls.ICP = cls.env["ir.config_parameter"].sudo()
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.today = fields.Date.today()

    def task(self, summary, **values):
        return {
            "action_type": "activity",
            "name": summary,
            "activity_type_id": self.todo.id,
            "activity_summary": summary,
            "activity_user_type": "owner",
            **values,
        }

    def tasks(self, lead, summary):
        return lead.activity_ids.filtered(lambda a: a.summary == summary)

    def lead(self, **values):
        return self.Lead.create(
            {
                "name": "ACME deal",
                "user_id": self.salesman.id,
                "team_id": self.team.id,
                "stage_id": self.stage_new.id,
                **values,
            }
        )

    def assertAbout(self, moment, expected, seconds=5):
        delta = abs((moment - expected).total_seconds())
        self.assertLessEqual(delta, seconds, f"{moment} is not about {expected}")


class ActionCase(WorkflowCase):
    """Leads of the test team created by the salesperson, rules built by the
    sales manager or a developer, and the records the actions point to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.developer = new_test_user(
            cls.env,
            login="cwa_developer",
            name="Dana Developer",
            email="dana@example.com",
            groups="sales_team.group_sale_manager,base.group_system",
        )
        cls.other_team = cls.env["crm.team"].create(
            {"name": "Key Accounts (tests)", "user_id": cls.sales_manager.id}
        )
        cls.tag_hot = cls.env["crm.tag"].create({"name": "Hot (tests)"})
        cls.tag_cold = cls.env["crm.tag"].create({"name": "Cold (tests)"})
        cls.tag_vip = cls.env["crm.tag"].create({"name": "VIP (tests)"})
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Lead welcome (tests)",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "subject": "About {{ object.name }}",
                "body_html": "<p>Thank you, <t t-out='object.contact_name'/>.</p>",
            }
        )

    # -- builders --------------------------------------------------------

    def rule_as(self, user, actions, domain="[]", trigger="on_create", **values):
        """A one-condition rule saved by ``user`` (as it would be in the
        form), so that the group checks of the form apply."""
        watched = values.pop("trigger_fields", None)
        if watched:
            values["trigger_field_ids"] = [
                Command.set([self.field(name).id for name in watched])
            ]
        return self.Rule.with_user(user).create(
            {
                "name": values.pop("name", "Test rule"),
                "trigger": trigger,
                "condition_ids": [
                    Command.create(
                        {
                            "domain": domain,
                            "action_ids": [Command.create(a) for a in actions],
                        }
                    )
                ],
                **values,
            }
        )

    def new_lead(self, name="Lead", **values):
        """A lead of the test team, created by the salesperson."""
        vals = {
            "name": name,
            "type": "opportunity",
            "team_id": self.team.id,
            "stage_id": self.stage_new.id,
            **values,
        }
        return self.Lead.with_user(self.salesman).create(vals)

    def read_back(self, records):
        """The records as the database holds them, read as admin."""
        self.env.invalidate_all()
        return records.with_env(self.env)

    def assert_ran(self, rule, records, state="done"):
        """One run of ``rule`` in ``state`` per record."""
        runs = self.runs(rule=rule, records=records, state=state)
        self.assertEqual(len(runs), len(records), runs)
        return runs
