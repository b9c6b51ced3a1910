#!/usr/bin/env python3
"""Benchmark of the rules engine side by side with Odoo's base_automation.

A script, not a test: ``make bench`` (or ``python3 bench/engine.py --help``).
It creates one fresh database with crm, base_automation and
crm_workflow_automation, creates N leads, and times each scenario of issue 5
three ways in one process: bare (no rule), base_automation (equivalent
``base.automation`` rules, ours inactive) and ours (equivalent
``crm.workflow.rule`` records, base_automation's absent). See bench/README.md.

Each timing is the median of ``--repeat`` runs; each run is one transaction,
rolled back afterwards, and includes ``env.flush_all()``. Queries are counted
with ``cr.sql_log_count``; memory is the growth of the process' RSS during the
run (its peak, VmHWM, reset before each run, minus the RSS at the start).
Progress goes to stderr, results to stdout.
"""

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib
from benchlib import Stats, log, mb, timed_run

RESULTS = os.path.join(benchlib.ROOT, "bench", "results")
# the run log's columns, in the order _log_bulk takes them
LOG_NAMES = (
    "rule_id condition_id action_id job_id res_model res_id state error duration "
    "user_id trigger depth event_uid company_id function_id caller result robot_id "
    "trigger_id record_name changed_fields outcome"
).split()
NEW_PREFIX = "Bench new lead "
TAG_NAME = "Bench tag"
SUMMARY = "Bench: call the customer"
FOLLOW_UP = "Bench: follow-up a week later"
NOTE = "Bench: the stage changed"
# Fields that a stage_id write leaves alone (checked at start-up against the
# fields that stage_id's recomputations touch).
OTHER_FIELDS = (
    "priority",
    "tag_ids",
    "color",
    "expected_revenue",
    "recurring_revenue",
    "recurring_plan",
    "date_deadline",
    "description",
    "referred",
    "email_cc",
    "campaign_id",
    "source_id",
    "medium_id",
    "lost_reason_id",
    "partner_id",
    "user_id",
    "type",
    "email_from",
    "phone",
    "city",
)
MATCH_ALL = "[('type', '=', 'opportunity')]"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Rules engine benchmark: bare vs base_automation vs ours."
    )
    parser.add_argument("--db", default=benchlib.DEFAULT_DB)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the database if it exists (default: drop and create it)",
    )
    parser.add_argument("--n", type=int, default=10_000, help="leads per batch")
    parser.add_argument("--repeat", type=int, default=3, help="runs per median")
    parser.add_argument(
        "--scenarios",
        default="1,2,3,4,5,2s,3s,4s,6,edit,table",
        help="comma-separated subset of 1,2,3,4,5,2s,3s,4s,6,edit,table "
        "(2s, 3s, 4s: scenarios 2, 3 and 4 one lead at a time)",
    )
    parser.add_argument(
        "--single-n",
        type=int,
        default=300,
        help="single-lead writes per run in scenarios 2s, 3s and 4s",
    )
    parser.add_argument(
        "--single-repeat",
        type=int,
        default=7,
        help="runs per median in scenarios 2s, 3s and 4s",
    )
    parser.add_argument(
        "--linearity-n",
        type=int,
        default=1_000,
        help="the small batch of the linearity check (scenarios 4 and 5)",
    )
    parser.add_argument(
        "--ba-budget",
        type=float,
        default=300.0,
        help="seconds a base_automation case (all its runs) may take; beyond, "
        "base_automation runs on a smaller batch, compared per lead",
    )
    parser.add_argument(
        "--ba-start",
        type=int,
        default=50,
        help="first batch size probed for base_automation",
    )
    parser.add_argument(
        "--no-ba", action="store_true", help="skip base_automation (quick runs)"
    )
    parser.add_argument(
        "--jobs-n", type=int, default=100_000, help="jobs drained in scenario 6"
    )
    parser.add_argument(
        "--table-rows",
        type=int,
        default=1_000_000,
        help="done jobs in the job table for the empty-tick EXPLAIN",
    )
    parser.add_argument(
        "--future-rows",
        type=int,
        default=100_000,
        help="then pending jobs due in 7 days, for a second EXPLAIN (0: skip)",
    )
    parser.add_argument(
        "--no-precommit",
        action="store_true",
        help="time env.flush_all() only, not the pre-commit hooks (mail tracking) "
        "that COMMIT runs; a rolled-back bare write then never writes its "
        "tracking messages",
    )
    parser.add_argument(
        "--headline",
        choices=("flush", "commit"),
        default="flush",
        help="the time the ratios and targets use: 'flush' (the operation and "
        "env.flush_all(), how issue 5 measured) or 'commit' (also the pre-commit "
        "hooks, mail tracking); both are printed",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile ours (cProfile) in the scenarios that miss their target",
    )
    parser.add_argument(
        "--profile-all",
        action="store_true",
        help="profile ours in every scenario, whether it meets its targets or not",
    )
    return parser.parse_args(argv)


# ----------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------


class Fixtures(benchlib.BenchData):
    """BenchData, plus a tag and the activity type of the rules; the leads
    back in their initial state (bench/jobs.py changes their priority)."""

    def __init__(self, env, n):
        super().__init__(env, n)
        tag = env["crm.tag"].search([("name", "=", TAG_NAME)], limit=1)
        self.tag = tag or env["crm.tag"].create({"name": TAG_NAME})
        self.todo = env.ref("mail.mail_activity_data_todo")
        cr = env.cr
        ids = self.lead_ids
        cr.execute(
            "UPDATE crm_lead SET stage_id = %s, priority = '0', active = true "
            "WHERE id = ANY(%s)",
            [self.stage_a, ids],
        )
        cr.execute(
            "DELETE FROM crm_tag_rel WHERE tag_id = %s AND lead_id = ANY(%s)",
            [self.tag.id, ids],
        )
        cr.execute(
            "DELETE FROM mail_activity WHERE res_model = 'crm.lead' "
            "AND res_id = ANY(%s)",
            [ids],
        )
        # a clean slate: no rule of a previous (interrupted) run is active
        Rule = env["crm.workflow.rule"].with_context(active_test=False)
        Rule.search([("name", "=like", "Bench S%")]).unlink()
        Rule.search([("active", "=", True)]).write({"active": False})
        Auto = env["base.automation"].with_context(active_test=False)
        old = Auto.search([])
        if old:
            old.action_server_ids.unlink()
            old.unlink()
        env.invalidate_all()
        cr.commit()


# ----------------------------------------------------------------------
# rules of each engine
# ----------------------------------------------------------------------


def rule_head(fx, env, name, trigger, watched, active):
    """What a rule of either engine says first: its name, model, trigger and
    watched fields."""
    return {
        "name": name,
        "trigger": trigger,
        "active": active,
        "model_id": fx.lead_model_id,
        "trigger_field_ids": [fx.Command.set([fx.field(env, f).id for f in watched])],
    }


def our_rule(fx, env, name, trigger, watched, domain, actions):
    C = fx.Command
    branch = {
        "sequence": 1,
        "domain": domain,
        "action_ids": [C.create(dict(a)) for a in actions],
    }
    return dict(
        rule_head(fx, env, name, trigger, watched, False),
        condition_ids=[C.create(branch)],
    )


def ba_rule(fx, env, name, trigger, watched, domain, actions, **extra):
    """A base.automation rule, active: base_automation has no rules while
    ours run (see Bench.settle)."""
    servers = [
        dict(
            a,
            model_id=fx.lead_model_id,
            usage="base_automation",
            name=a.get("name") or name,
        )
        for a in actions
    ]
    return dict(
        rule_head(fx, env, name, trigger, watched, True),
        filter_domain=domain,
        action_server_ids=[fx.Command.create(vals) for vals in servers],
        **extra,
    )


def our_set_priority(fx, env):
    field = fx.field(env, "priority")
    option = env["ir.model.fields.selection"].search(
        [("field_id", "=", field.id), ("value", "=", "3")]
    )
    return {
        "action_type": "field_update",
        "update_field_id": field.id,
        "update_selection_value": option.id,
    }


def ba_set_priority():
    return {
        "state": "object_write",
        "update_path": "priority",
        "evaluation_type": "value",
        "value": "3",
    }


def scenario4_ours(fx, env):
    C = fx.Command
    activity = {
        "action_type": "activity",
        "activity_type_id": fx.todo.id,
        "activity_summary": SUMMARY,
        "activity_due_days": 3,
        "activity_user_type": "owner",
    }
    actions = [
        our_set_priority(fx, env),
        {"action_type": "add_tags", "tag_ids": [C.set([fx.tag.id])]},
        activity,
        {
            "action_type": "notify",
            "user_ids": [C.set([fx.notified.id])],
            "notify_message": f"<p>{NOTE}</p>",
        },
        dict(
            activity,
            activity_summary=FOLLOW_UP,
            timing="scheduled",
            delay_amount=7,
            delay_unit="days",
        ),
    ]
    return [
        our_rule(
            fx,
            env,
            f"Bench S4 rule {i}",
            "on_create_or_write",
            ["stage_id"],
            MATCH_ALL,
            [action],
        )
        for i, action in enumerate(actions, 1)
    ]


def scenario4_ba(fx, env):
    activity = {
        "state": "next_activity",
        "activity_type_id": fx.todo.id,
        "activity_summary": SUMMARY,
        "activity_date_deadline_range": 3,
        "activity_date_deadline_range_type": "days",
        "activity_user_type": "generic",
        "activity_user_field_name": "user_id",
    }
    notify = (
        f"record.message_notify(partner_ids=[{fx.notified.partner_id.id}], "
        f"body='{NOTE}', subject='Bench S4 rule 4', subtype_xmlid='mail.mt_note', "
        "email_layout_xmlid='mail.mail_notification_light')"
    )
    actions = [
        ba_set_priority(),
        {
            "state": "object_write",
            "update_path": "tag_ids",
            "evaluation_type": "value",
            "update_m2m_operation": "add",
            "value": str(fx.tag.id),
        },
        activity,
        {"state": "code", "code": notify},
    ]
    rules = [
        ba_rule(
            fx,
            env,
            f"Bench S4 BA rule {i}",
            "on_create_or_write",
            ["stage_id"],
            MATCH_ALL,
            [action],
        )
        for i, action in enumerate(actions, 1)
    ]
    # base_automation's "7 days later" is a time rule that its cron checks
    rules.append(
        ba_rule(
            fx,
            env,
            "Bench S4 BA rule 5",
            "on_time",
            [],
            MATCH_ALL,
            [dict(activity, activity_summary=FOLLOW_UP)],
            trg_date_id=fx.field(env, "date_last_stage_update").id,
            trg_date_range=7,
            trg_date_range_type="day",
        )
    )
    return rules


# ----------------------------------------------------------------------
# scenarios
# ----------------------------------------------------------------------


def count(env, query, params):
    env.cr.execute(query, params)
    return env.cr.fetchone()[0]


class Scenario:
    """One operation (a stage write or a create), the rules of each engine,
    and what each engine must have done."""

    key = ""
    title = ""
    operation = "write"  # or "create"
    bare_target = None
    linearity = False
    effects = False  # whether matching rules change the records
    floor_target = None  # ours/floor (issue 15)

    def __init__(self, fx):
        self.fx = fx

    def floor(self, env, records, rules):
        """The scenario's effects written straight with the ORM, with no
        engine: what any engine has to pay at least (with no effects, idle
        rules, the floor is the bare operation and is not measured apart)."""
        records.write({"priority": "3"})
        return records

    def ours(self, env):
        return []

    def ba(self, env):
        return []

    single = False

    def run_floor(self, env, data, rules):
        """The operation, then its effects written straight (``floor``)."""
        return self.floor(env, self.run(env, data), rules)

    # -- the operation ------------------------------------------------------

    def prepare(self, n):
        fx = self.fx
        if self.operation == "create":
            vals = [fx.lead_vals(NEW_PREFIX, i) for i in range(n)]
            return lambda env: vals
        ids = fx.lead_ids[:n]
        return lambda env: env["crm.lead"].browse(ids)

    def run(self, env, data):
        if self.operation == "create":
            return env["crm.lead"].create(data)
        data.write({"stage_id": self.fx.stage_b})
        return data

    # -- sanity checks (not timed, before the rollback) -----------------------

    def check(self, engine):
        def check(env, data, records):
            ids = list(records.ids)
            fx = self.fx
            stage = count(
                env,
                "SELECT count(*) FROM crm_lead WHERE id = ANY(%s) AND stage_id = %s",
                [ids, fx.stage_b if self.operation == "write" else fx.stage_a],
            )
            assert stage == len(ids), f"{self.key}/{engine}: the operation failed"
            self.check_effects(env, ids, engine)

        return check

    def check_effects(self, env, ids, engine):
        priority = count(
            env,
            "SELECT count(*) FROM crm_lead WHERE id = ANY(%s) AND priority = '3'",
            [ids],
        )
        expected = len(ids) if (self.effects and engine != "bare") else 0
        assert priority == expected, (
            f"scenario {self.key}/{engine}: {priority} leads of {len(ids)} have "
            f"priority 3, expected {expected}"
        )


class S1(Scenario):
    key = "1"
    title = "batch write of stage_id, 20 rules watching other fields"
    bare_target = 1.05
    floor_target = 1.05

    def watched(self, env):
        Lead = env["crm.lead"]
        closure, todo = set(), [Lead._fields["stage_id"]]
        while todo:
            for dep in env.registry.get_dependent_fields(todo.pop()):
                if dep.model_name == "crm.lead" and dep.name not in closure:
                    closure.add(dep.name)
                    todo.append(dep)
        fields = [f for f in OTHER_FIELDS if f not in closure and f != "stage_id"]
        assert len(fields) == 20, f"fields touched by stage_id: {closure}"
        return fields

    def ours(self, env):
        return [
            our_rule(
                self.fx,
                env,
                f"Bench S1 rule {i}",
                "on_write",
                [fname],
                f"[('expected_revenue', '>', {10**9 + i})]",
                [our_set_priority(self.fx, env)],
            )
            for i, fname in enumerate(self.watched(env), 1)
        ]

    def ba(self, env):
        return [
            ba_rule(
                self.fx,
                env,
                f"Bench S1 BA rule {i}",
                "on_write",
                [fname],
                f"[('expected_revenue', '>', {10**9 + i})]",
                [ba_set_priority()],
            )
            for i, fname in enumerate(self.watched(env), 1)
        ]


class S2(Scenario):
    key = "2"
    title = "batch write of stage_id, 20 rules watching stage_id, matching nobody"
    bare_target = 1.05
    floor_target = 1.05

    def ours(self, env):
        return [
            our_rule(
                self.fx,
                env,
                f"Bench S2 rule {i}",
                "on_write",
                ["stage_id"],
                f"[('expected_revenue', '>', {10**9 + i})]",
                [our_set_priority(self.fx, env)],
            )
            for i in range(1, 21)
        ]

    def ba(self, env):
        return [
            ba_rule(
                self.fx,
                env,
                f"Bench S2 BA rule {i}",
                "on_write",
                ["stage_id"],
                f"[('expected_revenue', '>', {10**9 + i})]",
                [ba_set_priority()],
            )
            for i in range(1, 21)
        ]


class S3(Scenario):
    key = "3"
    title = "batch write of stage_id, 1 rule matching every lead: priority = 3"
    bare_target = 2.0
    floor_target = 1.15
    effects = True

    def ours(self, env):
        return [
            our_rule(
                self.fx,
                env,
                "Bench S3 rule",
                "on_write",
                ["stage_id"],
                MATCH_ALL,
                [our_set_priority(self.fx, env)],
            )
        ]

    def ba(self, env):
        return [
            ba_rule(
                self.fx,
                env,
                "Bench S3 BA rule",
                "on_write",
                ["stage_id"],
                MATCH_ALL,
                [ba_set_priority()],
            )
        ]


class S4(Scenario):
    key = "4"
    title = (
        "batch write of stage_id, 5 matching rules: field update, add tag, "
        "activity, notify, scheduled action (7 days later)"
    )
    bare_target = 4.0
    floor_target = 1.2
    linearity = True
    effects = True
    quiet_tasks = True  # over NOTIFY_SUMMARY_THRESHOLD, ours emails no assignee

    def ours(self, env):
        return scenario4_ours(self.fx, env)

    def ba(self, env):
        return scenario4_ba(self.fx, env)

    def floor(self, env, records, rules):
        """Scenario 4's effects written straight with the ORM, one batched
        call each, with no engine: what any engine has to pay at least."""
        from datetime import timedelta

        from odoo import fields

        fx = self.fx
        records.write({"priority": "3"})
        records.write({"tag_ids": [fx.Command.link(fx.tag.id)]})
        today = fields.Date.context_today(records)
        model_id = fx.lead_model_id
        Activity = env["mail.activity"]
        if self.quiet_tasks:
            Activity = Activity.with_context(mail_activity_quick_update=True)
        Activity.create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": fx.todo.id,
                    "summary": SUMMARY,
                    "date_deadline": today + timedelta(days=3),
                    "user_id": record.user_id.id or env.uid,
                }
                for record in records
            ]
        )
        env["mail.thread"].message_notify(
            partner_ids=fx.notified.partner_id.ids,
            body=f"<p>{NOTE}</p><p>{len(records)} record(s)</p>",
            subject="Bench S4 rule 4",
            subtype_xmlid="mail.mt_note",
            email_layout_xmlid="mail.mail_notification_light",
        )
        # the rules are inactive here; so are their actions (active_test)
        actions = rules.with_context(active_test=False).condition_ids.action_ids
        action = actions.filtered(lambda a: a.timing == "scheduled")
        assert len(action) == 1, action
        eta = fields.Datetime.now() + timedelta(days=7)
        env["crm.workflow.job"]._enqueue(
            [
                {
                    "rule_id": action.rule_id.id,
                    "action_id": action.id,
                    "condition_id": action.condition_id.id,
                    "res_model": "crm.lead",
                    "res_id": record_id,
                    "eta": eta,
                    "idempotency_key": f"bench-floor-{eta}-{record_id}",
                }
                for record_id in records.ids
            ]
        )
        return records

    def check_effects(self, env, ids, engine):
        super().check_effects(env, ids, engine)
        n = len(ids) if engine != "bare" else 0
        tagged = count(
            env,
            "SELECT count(*) FROM crm_tag_rel WHERE tag_id = %s AND lead_id = ANY(%s)",
            [self.fx.tag.id, ids],
        )
        activities = count(
            env,
            "SELECT count(*) FROM mail_activity WHERE res_model = 'crm.lead' "
            "AND res_id = ANY(%s) AND summary = %s",
            [ids, SUMMARY],
        )
        env.cr.execute(
            "SELECT count(*) FROM mail_message WHERE body::text LIKE %s "
            "AND create_date >= now() at time zone 'UTC' - interval '1 hour'",
            [f"%{NOTE}%"],
        )
        notes = env.cr.fetchone()[0]
        problems = []
        if tagged != n:
            problems.append(f"{tagged} tagged")
        if activities != n:
            problems.append(f"{activities} activities")
        if (notes > 0) != (n > 0):
            problems.append(f"{notes} notifications")
        if engine in ("ours", "floor"):
            jobs = count(
                env,
                "SELECT count(*) FROM crm_workflow_job WHERE res_model = 'crm.lead' "
                "AND res_id = ANY(%s) AND state = 'pending' "
                "AND eta > now() at time zone 'UTC' + interval '6 days'",
                [ids],
            )
            if jobs != n:
                problems.append(f"{jobs} scheduled jobs")
        assert not problems, (
            f"scenario {self.key}/{engine} on {len(ids)} leads: " + ", ".join(problems)
        )


class S5(S4):
    key = "5"
    title = "batch create of N leads with scenario 4's rules"
    operation = "create"


class Single:
    """The single-record version of a batch scenario (issue 26): a
    salesperson's form, the kanban's drag and drop, an import row by row.
    ``--single-n`` writes of one lead each, each browsed alone (no prefetch
    of the others) and flushed; the floor writes each lead's effects straight
    with the ORM right after its write."""

    single = True
    operation = "write"
    linearity = False

    def prepare(self, n):
        ids = self.fx.lead_ids[:n]
        return lambda env: env["crm.lead"].browse(ids)

    def write_one(self, env, rid):
        record = env["crm.lead"].browse(rid)
        record.write({"stage_id": self.fx.stage_b})
        return record

    def run(self, env, data):
        for rid in data._ids:
            self.write_one(env, rid)
            env.flush_all()
        return data

    def run_floor(self, env, data, rules, promises=False):
        for rid in data._ids:
            record = self.write_one(env, rid)
            self.floor(env, record, rules)
            if promises:
                self.promises(env, record, rules)
            env.flush_all()
        return data

    def promises(self, env, record, rules):
        """What ours must write beside the effects, whatever its code: the
        savepoint that keeps the user's edit if an action fails, and the run
        log's row with the status report's (the same ``_log_bulk``)."""
        with env.cr.savepoint(flush=False):
            env.flush_all()
        condition = rules.with_context(active_test=False).condition_ids[:1]
        row = dict.fromkeys(LOG_NAMES)
        row.update(
            rule_id=condition.rule_id.id,
            condition_id=condition.id,
            res_model="crm.lead",
            res_id=record.id,
            state="done",
            duration=0.001,
            user_id=env.uid,
            trigger="on_write",
            depth=0,
            event_uid=f"bench-{record.id}",
            record_name=record.name,
            changed_fields="stage_id",
            outcome=json.dumps(
                [{"action": condition.action_ids[:1].id, "state": "done"}]
            ),
        )
        env["crm.workflow.run"]._log_bulk([tuple(row[name] for name in LOG_NAMES)])


class S2s(Single, S2):
    key = "2s"
    title = (
        "one lead at a time: write of stage_id, 20 rules watching it, matching nobody"
    )
    bare_target = 1.15
    floor_target = 1.15


class S3s(Single, S3):
    key = "3s"
    title = "one lead at a time: write of stage_id, 1 matching rule: priority = 3"
    bare_target = None
    floor_target = 1.25
    promises_floor = True


class S4s(Single, S4):
    key = "4s"
    title = "one lead at a time: write of stage_id, scenario 4's 5 matching rules"
    bare_target = None
    floor_target = 1.3
    quiet_tasks = False

    def floor(self, env, records, rules):
        """Scenario 4's floor, plus the two effects a single record gets and
        a large batch does not (bench/RESULTS.md, issue 26): Odoo's email to
        the task's assignee (a batch over NOTIFY_SUMMARY_THRESHOLD records
        creates its tasks quietly, as the batch floor does) and the chatter
        note of the notify rule (not on batches over NOTE_BATCH_LIMIT)."""
        from markupsafe import Markup

        super().floor(env, records, rules)
        records._message_log_batch(
            bodies=dict.fromkeys(
                records.ids,
                Markup("<p>%s</p>")
                % "Workflow rule “Bench S4 rule 4” ran: 1 user notified",
            )
        )
        return records


SCENARIOS = (S1, S2, S3, S4, S5, S2s, S3s, S4s)


# ----------------------------------------------------------------------
# engines: hooks, activation
# ----------------------------------------------------------------------


def hook_chain(env, method="write"):
    """Who wraps crm.lead's ``method``, outermost first: 'ours', 'ba'."""
    chain = []
    func = getattr(type(env["crm.lead"]), method)
    while func is not None:
        if getattr(func, "_crm_workflow_patch", False):
            chain.append("ours")
        elif getattr(func, "__module__", "").startswith("odoo.addons.base_automation"):
            chain.append("ba")
        func = getattr(func, "origin", None)
    return chain


class Bench:
    def __init__(self, args, registry):
        self.args = args
        self.registry = registry
        self.cr = registry.cursor()
        self.notes = []
        env = self.env()
        self.fx = Fixtures(env, args.n)
        self.settle()

    def env(self):
        return benchlib.superuser_env(self.cr)

    def settle(self, expect_ba=False):
        """Commit a configuration change, let the registry forget it was
        changed, and check which engines are hooked on crm.lead.write.

        base.automation's ``_update_registry`` (run when one of its rules is
        created, (de)activated or deleted) deletes every patched ``create``,
        ``write``, ``unlink`` and ``message_post`` of the registry, ours
        included: our hook is installed again as a registry reload would."""
        self.cr.commit()
        env = self.env()
        if "ours" not in hook_chain(env):
            note = (
                "base_automation's _update_registry removed crm_workflow_automation's "
                "hooks from the registry (re-installed by the benchmark, as a "
                "registry reload does)"
            )
            if note not in self.notes:
                self.notes.append(note)
                log("note: " + note)
            env["crm.workflow.engine"]._register_hook()
        self.registry.registry_invalidated = False
        self.registry.cache_invalidated.clear()
        chain = hook_chain(env)
        assert "ours" in chain, chain
        assert ("ba" in chain) == expect_ba, (expect_ba, chain)
        self.cr.commit()


def timed(bench, scenario, engine, n, check=True, run=None):
    return timed_run(
        bench.cr,
        benchlib.superuser_env,
        scenario.prepare(n),
        run or scenario.run,
        scenario.check(engine) if check else None,
        precommit=not bench.args.no_precommit,
    )


def measure_bare_ours(bench, scenario, rules, n, repeat, floor=False):
    """Bare and ours interleaved (bare, ours, ours, bare, ...): the same
    conditions for both on a noisy machine. With ``floor``, also the
    scenario's effects written straight with the ORM, with no engine."""
    samples = {"bare": [], "ours": [], "floor": [], "floor+log": []}
    engines = ("bare", "ours", "floor") if floor else ("bare", "ours")
    if floor and getattr(scenario, "promises_floor", False):
        engines += ("floor+log",)
    for r in range(repeat):
        order = engines[r % len(engines) :] + engines[: r % len(engines)]
        if r % 2:
            order = order[::-1]
        for engine in order:
            if engine in ("floor", "floor+log"):
                rules.write({"active": False})
                bench.settle()
                log(f"  scenario {scenario.key} {engine} n={n} run {r + 1}/{repeat}")
                promises = engine == "floor+log"

                def run(env, data, promises=promises):
                    if promises:
                        return scenario.run_floor(env, data, rules, promises=True)
                    return scenario.run_floor(env, data, rules)

                samples[engine].append(timed(bench, scenario, "floor", n, run=run))
                continue
            rules.write({"active": engine == "ours"})
            bench.settle()
            if engine == "ours":
                index = bench.env()["crm.workflow.rule"]._rule_index()["crm.lead"]
                specs = index.rules.get("write", ()) + index.rules.get("create", ())
                assert specs, "ours: no active rule in the registry cache"
            log(f"  scenario {scenario.key} {engine} n={n} run {r + 1}/{repeat}")
            samples[engine].append(timed(bench, scenario, engine, n))
    rules.write({"active": False})
    bench.settle()
    result = (Stats(samples["bare"], n), Stats(samples["ours"], n))
    if floor:
        result += (Stats(samples["floor"], n),)
    if samples["floor+log"]:
        scenario.floor_promises = Stats(samples["floor+log"], n)
    return result


def exponent(points):
    """Growth exponent k of t ∝ n^k from the last two (n, t) points."""
    if len(points) < 2:
        return 2.0
    (n1, t1), (n2, t2) = points[-2:]
    if t1 <= 0 or n2 == n1:
        return 2.0
    return math.log(t2 / t1) / math.log(n2 / n1)


def nice(n):
    """n rounded down to two significant digits."""
    step = 10 ** max(0, len(str(n)) - 2)
    return max(step, n // step * step)


def measure_ba(bench, scenario, n_full, repeat):
    """base_automation at the largest batch (≤ n_full, growing from
    --ba-start by at most 4x a step) whose ``repeat`` runs are predicted,
    from the growth seen so far, to fit in --ba-budget seconds."""
    args = bench.args
    env = bench.env()
    rules = env["base.automation"].create(scenario.ba(env))
    bench.settle(expect_ba=True)
    try:
        n = min(n_full, args.ba_start)
        points = []
        while True:
            log(f"  scenario {scenario.key} base_automation probe n={n}")
            sample = timed(bench, scenario, "base_automation", n)
            points.append((n, sample.seconds))
            if n >= n_full:
                break
            k = max(1.0, exponent(points)) if len(points) > 1 else 2.0
            if k > 1.2:
                k += 0.5  # superlinear growth tends to accelerate: a margin
            budget = args.ba_budget / (repeat * max(sample.seconds, 1e-3))
            fit = n * budget ** (1 / k)
            nxt = n_full if min(4 * n, fit) >= n_full else nice(int(min(4 * n, fit)))
            if nxt < 1.25 * n:
                break
            n = nxt
        samples = [sample]
        for r in range(1, repeat):
            log(f"  scenario {scenario.key} base_automation n={n} run {r + 1}/{repeat}")
            samples.append(timed(bench, scenario, "base_automation", n))
        k = max(1.0, exponent(points))
    finally:
        rules.action_server_ids.unlink()
        rules.unlink()
        bench.settle(expect_ba=False)
    return Stats(samples, n), k


# ----------------------------------------------------------------------
# report
# ----------------------------------------------------------------------


def row(label, stats):
    return (
        f"  {label:<22} {stats.n:>6} {stats.flushed:>9.3f} {stats.committed:>9.3f} "
        f"{1000 * stats.per_record:>8.3f} {stats.queries:>8} "
        f"{mb(stats.growth):>9} {mb(stats.peak):>9} {stats.envs:>5}"
    )


HEADER = (
    f"  {'engine':<22} {'N':>6} {'flush s':>9} {'commit s':>9} {'ms/lead':>8} "
    f"{'queries':>8} {'RSS grow':>9} {'peak RSS':>9} {'envs':>5}"
)


def other(stats):
    """The time that is not the headline: commit-inclusive when the headline
    is flush-only, and the other way round."""
    return stats.committed if benchlib.HEADLINE == "flush" else stats.flushed


def other_label():
    if benchlib.HEADLINE == "flush":
        return "including the pre-commit hooks that COMMIT runs (mail tracking)"
    return "flush-only (before the pre-commit hooks)"


def verdict(value, target):
    if target is None:
        return ""
    return f"  (target ≤ {target:g}: {'ok' if value <= target else 'MISSED'})"


def profile_ours(bench, scenario, rules, n):
    """One more run of ours under cProfile; the top of the profile by
    cumulative time, printed and saved under bench/results/."""
    rules.write({"active": True})
    bench.settle()
    profiler = cProfile.Profile()
    run = scenario.run

    def profiled(env, data):
        profiler.enable()
        try:
            result = run(env, data)
            env.flush_all()
            if not bench.args.no_precommit:
                env.cr.flush()
                env.flush_all()
            return result
        finally:
            profiler.disable()

    try:
        timed_run(bench.cr, benchlib.superuser_env, scenario.prepare(n), profiled)
    finally:
        rules.write({"active": False})
        bench.settle()
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"profile_s{scenario.key}_ours_{n}.prof")
    profiler.dump_stats(path)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    text = out.getvalue()
    start = text.find("   ncalls")
    print(f"  profile of ours, n={n} (cumulative, top 30; full profile: {path}):")
    for line in text[start:].rstrip().splitlines():
        print("    " + line)
    print_engine_parts(pstats.Stats(profiler))


# The engine's parts, by the function that does them (cumulative seconds
# under cProfile); ``(callee, caller)`` is the callee's time called from it.
ENGINE_PARTS = (
    ("old-value snapshot before the write", "_write_prepare"),
    ("changed values after the write", "_write_changes"),
    ("stage-entry hook", ("_stage_prepare", "_stage_changes", "_stage_finish")),
    ("prefilter query (all rules)", "_prefilter"),
    ("condition queries", "_match_conditions"),
    ("first_match lookup", "_already_done"),
    ("flush before the savepoint / inside it", ("flush_all", "_savepoint")),
    ("the actions themselves", "_execute_branch"),
    ("run-log rows built", "_log_rows"),
    ("run-log COPY", "_log_bulk"),
    ("whole write hook (all of the above)", "write"),
)


def print_engine_parts(stats):
    """Where the engine's time goes, part by part (cumulative seconds; parts
    nest: the actions run inside the savepoint, the savepoint inside the
    hook)."""
    ours = os.sep + "crm_workflow_automation" + os.sep

    def ct(name, caller=None):
        total = 0.0
        for (path, __, func), (__, __, __, cum, callers) in stats.stats.items():
            if func != name:
                continue
            if caller is None:
                if ours in path:
                    total += cum
                continue
            for (__, __, cfunc), value in callers.items():
                if cfunc == caller:
                    total += value[3]
        return total

    print("  where ours spends its time (cumulative s under cProfile):")
    for label, what in ENGINE_PARTS:
        if isinstance(what, tuple) and len(what) == 2 and what[1] == "_savepoint":
            seconds = ct(what[0], caller=what[1])
        elif isinstance(what, tuple):
            seconds = sum(ct(name) for name in what)
        else:
            seconds = ct(what)
        print(f"    {label:<44} {seconds:>8.3f}")


def traced_peak(bench, scenario, n):
    """One run under tracemalloc: the peak of the Python heap during the
    operation (flush and pre-commit hooks included) and the allocation sites
    that still hold memory at its end."""
    import gc
    import tracemalloc

    cr = bench.cr
    cr.rollback()
    env = bench.env()
    data = scenario.prepare(n)(env)
    result = None
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.take_snapshot()
        tracemalloc.reset_peak()
        result = scenario.run(env, data)
        env.flush_all()
        if not bench.args.no_precommit:
            cr.flush()
            env.flush_all()
        __, peak = tracemalloc.get_traced_memory()
        diff = tracemalloc.take_snapshot().compare_to(base, "lineno")
    finally:
        tracemalloc.stop()
        del data
        cr.rollback()
    del result
    return peak, diff


def memory_profile(bench, scenario, rules, n, top=15):
    """Python-heap peaks of bare and ours (tracemalloc), and where ours
    allocates."""
    log(f"  scenario {scenario.key}: tracemalloc, bare and ours, n={n}")
    bare_peak, __ = traced_peak(bench, scenario, n)
    rules.write({"active": True})
    bench.settle()
    try:
        ours_peak, diff = traced_peak(bench, scenario, n)
    finally:
        rules.write({"active": False})
        bench.settle()
    print(
        f"  tracemalloc, peak of the Python heap during the batch: ours "
        f"{mb(ours_peak)}, bare {mb(bare_peak)} (ours/bare "
        f"{ours_peak / max(bare_peak, 1):.2f})"
    )
    print(f"  ours: top {top} allocation sites still holding memory at the end:")
    for stat in diff[:top]:
        frame = stat.traceback[0]
        name = re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", frame.filename)
        name = name.replace(benchlib.ROOT + "/", "").replace("/opt/odoo18/", "")
        print(
            f"    {stat.size_diff / 2**20:8.1f} MB {stat.count_diff:>9} blocks  "
            f"{name}:{frame.lineno}"
        )


def report_ba(ours, ba, ba_k, ba_bare, n):
    """Print ours/base_automation, per lead when base_automation ran on a
    smaller batch; return (headline ratio, other ratio)."""
    superlinear = ba_k > 1.2
    target = 0.05 if superlinear else 0.5
    if ba.n == n:
        ratio_ba = ours.seconds / ba.seconds
        flush_ba = other(ours) / other(ba)
        how = "same N"
    else:
        ratio_ba = ours.per_record / ba.per_record
        flush_ba = (other(ours) / n) / (other(ba) / ba.n)
        predicted = ba.seconds * (n / ba.n) ** ba_k
        how = (
            f"per lead: base_automation ran on {ba.n} leads, not {n}, "
            f"because it would take ~{predicted:,.0f} s per run at N={n} "
            f"(extrapolated with t ∝ n^{ba_k:.2f}); ours/base_automation "
            f"extrapolated to N={n}: {ours.seconds / predicted:.4f}; "
            f"base_automation/bare at N={ba.n}: "
            f"{ba.seconds / ba_bare.seconds:.1f}"
        )
    print(
        f"  ours/base_automation: {ratio_ba:.4f}{verdict(ratio_ba, target)}"
        f"; {other_label().split(' (')[0]}: {flush_ba:.4f}"
    )
    print(
        f"    [{how}; base_automation growth exponent {ba_k:.2f}"
        f"{' (superlinear)' if superlinear else ''}]"
    )
    return ratio_ba, flush_ba


def report_promises(promised, ours, floor):
    """The floor of what remains once the promises are kept (issue 26)."""
    if not promised:
        return
    print(
        f"  (floor+savepoint+log)/floor: {promised.seconds / floor.seconds:.2f}; "
        f"ours/(floor+savepoint+log): {ours.seconds / promised.seconds:.2f} (what "
        "the promises cost whatever the code: the savepoint's round trips, the run "
        "log's and the status report's rows; the rest is the engine's Python)"
    )


def run_scenario(bench, cls, results):
    args = bench.args
    scenario = cls(bench.fx)
    n = args.single_n if scenario.single else args.n
    repeat = args.single_repeat if scenario.single else args.repeat
    log(f"scenario {scenario.key}: {scenario.title}")
    env = bench.env()
    rules = env["crm.workflow.rule"].create(scenario.ours(env))
    bench.settle()
    try:
        if scenario.effects:
            bare, ours, floor = measure_bare_ours(
                bench, scenario, rules, n, repeat, floor=True
            )
        else:
            # rules that change nothing: the floor is the bare operation itself
            # (measuring it twice would only add noise)
            bare, ours = measure_bare_ours(bench, scenario, rules, n, repeat)
            floor = bare
        small = None
        if scenario.linearity and n > args.linearity_n:
            small = measure_bare_ours(bench, scenario, rules, args.linearity_n, repeat)
        ba = ba_k = ba_bare = None
        if not args.no_ba:
            ba, ba_k = measure_ba(bench, scenario, n, repeat)
            if ba.n < n:
                ba_bare, __ = measure_bare_ours(bench, scenario, rules, ba.n, repeat)
        ratio = ours.seconds / bare.seconds
        print()
        print(f"Scenario {scenario.key}: {scenario.title}")
        print(HEADER)
        print(row("bare", bare))
        print(row("ours", ours))
        if floor is not bare:
            print(row("floor (no engine)", floor))
        if small:
            print(row("bare", small[0]))
            print(row("ours", small[1]))
        if ba:
            print(row("base_automation", ba))
            if ba_bare:
                print(row("bare (same N as BA)", ba_bare))
        promised = getattr(scenario, "floor_promises", None)
        if promised:
            print(row("floor+savepoint+log", promised))
        floor_ratio = ours.seconds / floor.seconds
        floor_verdict = verdict(floor_ratio, scenario.floor_target)
        print(
            f"  ours/floor: {floor_ratio:.2f}{floor_verdict}"
            " (what the engine itself adds over the same effects written straight)"
        )
        report_promises(promised, ours, floor)
        print(f"  ours/bare: {ratio:.2f}{verdict(ratio, scenario.bare_target)}")
        if not args.no_precommit:
            print(f"  ours/bare, {other_label()}: {other(ours) / other(bare):.2f}")
        print(
            f"  floor/bare: {floor.seconds / bare.seconds:.2f} (the same effects "
            "written straight with the ORM, one batched call each)"
        )
        growth = ours.growth / bare.growth if bare.growth > 0 else float("nan")
        peak = ours.peak / bare.peak
        floor_peak = ours.peak / floor.peak
        print(
            f"  peak memory (RSS) of the process during the batch ours/bare: "
            f"{peak:.2f} ({mb(ours.peak)} vs {mb(bare.peak)})"
        )
        print(
            f"  peak memory (RSS) ours/floor: {floor_peak:.2f} ({mb(floor.peak)} for "
            f"the floor){verdict(floor_peak, 1.3)}"
        )
        print(
            f"  RSS growth during the batch ours/bare: {growth:.2f} "
            f"({mb(ours.growth)} vs {mb(bare.growth)})"
            + (
                f"; floor/bare: {floor.growth / bare.growth:.2f} ({mb(floor.growth)})"
                if floor and bare.growth > 0
                else ""
            )
        )
        result = {
            "bare": ratio,
            "floor": floor_ratio,
            "bare_other": other(ours) / other(bare),
            "ba": None,
            "ba_other": None,
            "single": scenario.single,
        }
        if small:
            lin = ours.seconds / small[1].seconds
            print(
                f"  linearity ours t({n})/t({args.linearity_n}): {lin:.2f}"
                f"{verdict(lin, 11 * n / args.linearity_n / 10)}"
                f"; bare: {bare.seconds / small[0].seconds:.2f}"
            )
            grows = ours.envs > 2 * small[1].envs + 5
            print(
                f"  environments in the transaction after the batch (ours): "
                f"{small[1].envs} at N={args.linearity_n}, {ours.envs} at N={n}"
                f"  ({'GROWS' if grows else 'does not grow: ok'})"
            )
        if ba:
            result["ba"], result["ba_other"] = report_ba(ours, ba, ba_k, ba_bare, n)
        missed = ratio > (scenario.bare_target or math.inf) or floor_ratio > (
            scenario.floor_target or math.inf
        )
        if small:
            missed = missed or ours.seconds / small[1].seconds > 11 * n / (
                10 * args.linearity_n
            )
        if (args.profile and missed) or args.profile_all:
            profile_ours(bench, scenario, rules, n)
        if args.profile and scenario.key == "4" and growth > 1.5:
            memory_profile(bench, scenario, rules, n)
        sys.stdout.flush()
        results[scenario.key] = result
    finally:
        rules.unlink()
        bench.settle()


# ----------------------------------------------------------------------
# the job table: EXPLAIN of the claim with nothing due, on 1,000,000 rows
# ----------------------------------------------------------------------


def empty_tick(bench, repeat=5):
    times, queries = [], []
    for __ in range(repeat):
        env = bench.env()
        Job = env["crm.workflow.job"]
        q0 = bench.cr.sql_log_count
        t0 = time.perf_counter()
        done = Job._run_due_jobs(automatic=True)
        times.append(time.perf_counter() - t0)
        queries.append(bench.cr.sql_log_count - q0)
        bench.cr.commit()
        assert done == 0, f"{done} jobs were due"
    return statistics.median(times), int(statistics.median(queries))


FILL = """
    INSERT INTO crm_workflow_job
           (job_type, res_model, res_id, eta, state, attempts, max_attempts,
            idempotency_key, check_record, create_date, write_date, done_at)
    SELECT 'action', 'crm.lead', 1 + g %% 10000, {eta}, %s, {attempts}, 6,
           %s || g, true, now() at time zone 'UTC', now() at time zone 'UTC',
           {done_at}
      FROM generate_series(1, %s) g
    ON CONFLICT (idempotency_key) DO NOTHING
"""


def explain_tick(bench):
    """The queries of an empty tick on the job table (captured from
    ``_run_due_jobs``), then the claim that runs when something is due
    (captured from ``_claim``), each with its EXPLAIN (ANALYZE, BUFFERS)."""
    cr = bench.cr
    env = bench.env()
    Job = env["crm.workflow.job"]
    with benchlib.capture_queries(cr) as tick:
        Job._run_due_jobs(automatic=True)
    with benchlib.capture_queries(cr) as claim:
        Job._claim()
    cr.rollback()
    tick = [(q, p) for q, p in tick if "crm_workflow_job" in str(q)]
    claim = [(q, p) for q, p in claim if "UPDATE crm_workflow_job AS upd" in str(q)]
    assert tick and claim, "the tick's queries were not captured"
    explained = []
    for label, (query, params) in [("the empty tick's query", q) for q in tick] + [
        ("the claim, run when the tick's probe finds work", claim[0])
    ]:
        cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + str(query), params)
        explained.append((label, query, [r[0] for r in cr.fetchall()]))
        cr.rollback()
    return explained


def print_plans(title, explained, show_query=False):
    print(title)
    for label, query, plan in explained:
        print(f"  {label}:")
        if show_query:
            for line in str(query).strip().splitlines():
                print("    " + line.rstrip())
        print("  its EXPLAIN (ANALYZE, BUFFERS):")
        for line in plan:
            print("    " + line)
        seq = any("Seq Scan on crm_workflow_job" in line for line in plan)
        indexes = sorted(
            {
                match.group(1)
                for line in plan
                for match in re.finditer(
                    r"(?:Index Scan using|Index Only Scan using|Bitmap Index Scan on) "
                    r"(\S+)",
                    line,
                )
            }
        )
        timing = next((line for line in plan if "Execution Time" in line), "")
        print(
            f"  -> indexes used: {', '.join(indexes) or 'none'}; sequential scan of "
            f"crm_workflow_job: {'YES' if seq else 'no'}; {timing.strip()}"
        )


def show_tick(bench, title, show_query=False):
    """Print the plans of an empty tick's queries and of the claim; return
    the empty tick's median time and query count."""
    explained = explain_tick(bench)
    tick = empty_tick(bench)
    print()
    print_plans(title, explained, show_query=show_query)
    return tick


RELOAD_SCRIPT = """
import sys, time
sys.path.insert(0, {bench!r})
import benchlib
import odoo
from odoo.modules.registry import Registry
benchlib.load_registry({db!r})
Registry.delete({db!r})
t0 = time.perf_counter()
Registry.new({db!r})
print(time.perf_counter() - t0)
"""


def registry_reload_seconds(db):
    """What another Odoo worker pays when the registry was invalidated: a
    full Registry.new(), timed in a fresh process (imports not counted)."""
    import subprocess

    script = RELOAD_SCRIPT.format(
        bench=os.path.dirname(os.path.abspath(__file__)), db=db
    )
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def rule_edit(bench, repeat=5):
    """The cost of editing a rule (deactivate, then activate, committed) for
    ours and for base_automation, and what the next write pays after it."""
    log("rule edit cost")
    fx = bench.fx
    env = bench.env()
    scenario = S2(fx)
    ours = env["crm.workflow.rule"].create(scenario.ours(env)[:1])
    ours.write({"active": True})
    bench.settle()
    lead_ids = fx.lead_ids[:1]

    def one_write():
        env = bench.env()
        t0 = time.perf_counter()
        env["crm.lead"].browse(lead_ids).write({"priority": "1"})
        env.flush_all()
        return time.perf_counter() - t0

    def edit(records, expect_ba=False):
        t0 = time.perf_counter()
        records.write({"active": False})
        records.write({"active": True})
        bench.settle(expect_ba=expect_ba)
        edit_s = time.perf_counter() - t0
        first = one_write()
        warm = one_write()
        bench.cr.rollback()
        return edit_s, first, warm

    try:
        ours_samples = [edit(ours) for __ in range(repeat)]
    finally:
        ours.unlink()
        bench.settle()
    ba = env["base.automation"].create(scenario.ba(env)[:1])
    bench.settle(expect_ba=True)
    try:
        ba_samples = [edit(ba, expect_ba=True) for __ in range(repeat)]
    finally:
        ba.action_server_ids.unlink()
        ba.unlink()
        bench.settle()
    reloads = [registry_reload_seconds(bench.args.db) for __ in range(3)]

    def med(samples, i):
        return statistics.median(s[i] for s in samples)

    print()
    print(
        "Rule edit: deactivate and activate one rule (committed), then the next "
        f"one-lead write in this worker (median of {repeat})"
    )
    print(
        f"  {'engine':<16} {'edit ms':>9} {'next write ms':>14} {'warm write ms':>14}"
    )
    for label, samples in (("ours", ours_samples), ("base_automation", ba_samples)):
        print(
            f"  {label:<16} {1000 * med(samples, 0):>9.1f} "
            f"{1000 * med(samples, 1):>14.1f} {1000 * med(samples, 2):>14.1f}"
        )
    print(
        "  every other Odoo worker, on its next request: with ours it empties its "
        "ormcache (the rule index is rebuilt with one query); with base_automation "
        "the registry is marked invalid, so each worker rebuilds it: "
        f"Registry.new() takes {statistics.median(reloads):.2f} s here with the "
        "Python modules already imported, and all its caches start cold "
        "(median of 3, fresh process)"
    )


def job_table(bench, rows, future):
    log(f"job table: {rows} done jobs")
    cr = bench.cr
    cr.execute("SELECT count(*) FROM crm_workflow_job")
    before = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM crm_workflow_job WHERE state IN ('pending', 'failed') "
        "AND eta <= now() at time zone 'UTC'"
    )
    assert cr.fetchone()[0] == 0, "jobs are due: the tick would not be empty"
    t_small, q_small = empty_tick(bench)
    done_sql = FILL.format(
        eta="now() at time zone 'UTC' - make_interval(secs => g)",
        attempts=1,
        done_at="now() at time zone 'UTC'",
    )
    future_sql = FILL.format(
        eta="now() at time zone 'UTC' + interval '7 days' + make_interval(secs => g)",
        attempts=0,
        done_at="NULL",
    )
    try:
        cr.execute(done_sql, ["done", "bench-done:", rows])
        cr.execute("ANALYZE crm_workflow_job")
        cr.commit()
        cr.execute("SELECT count(*) FROM crm_workflow_job")
        total = cr.fetchone()[0]
        t_big, q_big = show_tick(
            bench,
            f"Job table: the runner's tick with nothing due, {total:,} jobs in "
            f"crm_workflow_job ({total - before:,} done jobs added)",
            show_query=True,
        )
        print(
            f"  empty tick (_run_due_jobs(automatic=True), median of 5): "
            f"{1000 * t_small:.1f} ms / {q_small} queries with {before:,} jobs, "
            f"{1000 * t_big:.1f} ms / {q_big} queries with {total:,} jobs"
        )
        if future:
            log(f"job table: {future} pending jobs due in 7 days")
            cr.execute(future_sql, ["pending", "bench-future:", future])
            cr.execute("ANALYZE crm_workflow_job")
            cr.commit()
            t_future, q_future = show_tick(
                bench,
                f"Job table, nothing due but {future:,} pending jobs due in 7 days "
                f"(and the {rows:,} done jobs):",
            )
            print(
                f"  empty tick (median of 5): {1000 * t_future:.1f} ms / "
                f"{q_future} queries"
            )
    finally:
        cr.rollback()
        cr.execute(
            "DELETE FROM crm_workflow_job WHERE idempotency_key LIKE 'bench-done:%' "
            "OR idempotency_key LIKE 'bench-future:%'"
        )
        cr.execute("ANALYZE crm_workflow_job")
        cr.commit()


# ----------------------------------------------------------------------
# main
# ----------------------------------------------------------------------


def main(argv=None):
    args = parse_args(argv)
    wanted = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    benchlib.ensure_pg()
    benchlib.create_db(args.db, keep=args.keep)
    registry = benchlib.load_registry(args.db)
    started = time.monotonic()
    bench = Bench(args, registry)
    version = benchlib.addon_version()
    print(
        f"crm_workflow_automation engine benchmark: database {args.db}, "
        f"N = {args.n:,} leads, median of {args.repeat} runs, "
        f"{os.cpu_count()} CPUs, add-on at {version}"
    )
    benchlib.HEADLINE = "flush" if args.no_precommit else args.headline
    print(
        "Each run: one transaction rolled back afterwards. flush s = the operation "
        "and env.flush_all(); commit s = also the pre-commit hooks that COMMIT "
        "runs (mail tracking). Ratios, targets and ms/lead use "
        f"{'flush s' if benchlib.HEADLINE == 'flush' else 'commit s'} (--headline). "
        "queries = cr.sql_log_count delta; RSS grow = peak RSS during the run minus "
        "RSS at its start; envs = len(env.transaction.envs) after the batch."
    )
    results = {}
    for cls in SCENARIOS:
        if cls.key in wanted:
            run_scenario(bench, cls, results)
    if "6" in wanted:
        import jobs

        bench.cr.commit()
        log("scenario 6: draining due jobs (bench/jobs.py)")
        outcome = jobs.run_benchmark(
            args.db, args.jobs_n, leads=max(args.n, 10_000), profile=args.profile
        )
        print()
        print(f"Scenario 6: draining {args.jobs_n:,} due jobs (bench/jobs.py)")
        jobs.print_report(outcome)
    if "edit" in wanted:
        rule_edit(bench)
    if "table" in wanted:
        job_table(bench, args.table_rows, args.future_rows)
    if benchlib.addon_version() != version:
        bench.notes.append(
            f"the add-on changed during the run ({version} -> "
            f"{benchlib.addon_version()}): this process kept the code it loaded, "
            "bench/jobs.py's runner processes loaded the new one"
        )
    for note in bench.notes:
        print(f"\nNote: {note}.")
    bench.cr.close()
    peak = ""
    if benchlib.PROCESS_PEAK:
        peak = f"peak RSS of the process during the runs: {mb(benchlib.PROCESS_PEAK)}; "
    print(f"\n{peak}total benchmark time: {time.monotonic() - started:,.0f} s")

    def worst(key, single=False):
        values = [
            r[key]
            for r in results.values()
            if r[key] is not None and r["single"] == single
        ]
        return max(values) if values else float("nan")

    if not args.no_precommit:
        print(
            f"times {other_label()}: worst ours/bare: "
            f"{worst('bare_other'):.2f}; worst ours/base_automation: "
            f"{worst('ba_other'):.2f}"
        )
    print(
        f"worst ours/bare: {worst('bare'):.2f}; "
        f"worst ours/floor: {worst('floor'):.2f}; "
        f"worst ours/base_automation: {worst('ba'):.2f}; "
        f"worst single ours/bare: {worst('bare', True):.2f}; "
        f"worst single ours/floor: {worst('floor', True):.2f}"
    )


if __name__ == "__main__":
    main()
