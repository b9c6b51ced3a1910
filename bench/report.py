#!/usr/bin/env python3
"""Status report benchmark: the report of a rule with 1,000,000 runs.

A script, not a test (``python3 bench/report.py --help``). It fills the run
log of one rule with ``--rows`` runs spread over ``--days`` days (one
generate_series INSERT), builds the daily table from them as the log writer
and the upgrade do, then times opening the report: the read_group the pivot
and graph views send to ``crm.workflow.run.daily`` (per day, and per rule),
and the rule form's last-30-days counts. Target: under a second. For
comparison it also times the same read_group on the run log itself.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib
from benchlib import log

TARGET = 1.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="crm_workflow_bench_report")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it exists"
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="runs of the rule")
    parser.add_argument("--days", type=int, default=90, help="days they spread over")
    parser.add_argument("--repeat", type=int, default=5, help="runs per median")
    return parser.parse_args(argv)


def timed(func, repeat):
    times = []
    for __ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fill(env, rows, days):
    """One rule, ``rows`` runs (1 in 50 failed) over ``days`` days, and the
    daily table built from them."""
    from odoo.tools import SQL

    Rule = env["crm.workflow.rule"].with_context(active_test=False)
    Rule.search([("name", "=", "Bench report rule")]).unlink()
    priority = env["ir.model.fields"]._get("crm.lead", "priority")
    rule = Rule.create(
        {
            "name": "Bench report rule",
            "trigger": "on_create_or_write",
            "active": False,
            "condition_ids": [
                (
                    0,
                    0,
                    {
                        "action_ids": [
                            (
                                0,
                                0,
                                {
                                    "action_type": "field_update",
                                    "update_field_id": priority.id,
                                    "update_value": "1",
                                },
                            )
                        ]
                    },
                )
            ],
        }
    )
    condition = rule.condition_ids
    env.flush_all()
    started = time.perf_counter()
    env.cr.execute(
        """INSERT INTO crm_workflow_run
               (rule_id, condition_id, res_model, res_id, state, duration,
                trigger, depth, record_name, create_date)
           SELECT %s, %s, 'crm.lead', 1 + g %% 20000,
                  CASE WHEN g %% 50 = 0 THEN 'failed' ELSE 'done' END,
                  0.001 + (g %% 7) / 1000.0, 'write', 0, 'Bench lead',
                  (now() at time zone 'UTC') - (g %% %s) * interval '1 day'
             FROM generate_series(1, %s) AS g""",
        [rule.id, condition.id, days, rows],
    )
    log(f"{rows:,} runs inserted in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    env["crm.workflow.run.daily"].search([("rule_id", "=", rule.id)]).unlink()
    env["crm.workflow.run.daily"]._insert(
        SQL("r.rule_id = %s", rule.id),
        {condition.id: ["field_update"]},
    )
    log(f"daily table built in {time.perf_counter() - started:.1f}s")
    env.cr.execute("ANALYZE crm_workflow_run")
    env.cr.execute("ANALYZE crm_workflow_run_daily")
    return rule


def main(argv=None):
    args = parse_args(argv)
    benchlib.ensure_pg()
    benchlib.create_db(args.db, keep=args.keep)
    registry = benchlib.load_registry(args.db)
    with registry.cursor() as cr:
        env = benchlib.superuser_env(cr)
        rule = fill(env, args.rows, args.days)
        cr.commit()
        Daily = env["crm.workflow.run.daily"]
        Run = env["crm.workflow.run"]
        measures = [
            "run_count:sum",
            "record_count:sum",
            "action_count:sum",
            "failed_count:sum",
            "duration_avg:avg",
        ]
        domain = [("rule_id", "=", rule.id)]

        def pivot_by_day():
            env.invalidate_all()
            return Daily.read_group(
                domain, measures, ["rule_id", "day:day"], lazy=False
            )

        def pivot_by_type():
            env.invalidate_all()
            return Daily.read_group(domain, measures, ["action_type"], lazy=False)

        def rule_form():
            env.invalidate_all()
            return rule.report_run_count_30d

        def run_log_read_group():
            env.invalidate_all()
            return Run.read_group(
                domain, ["duration:avg"], ["rule_id", "create_date:day"], lazy=False
            )

        groups = pivot_by_day()
        total = sum(g["run_count"] for g in groups)
        results = [
            (
                "pivot: runs per day (read_group, daily table)",
                timed(pivot_by_day, args.repeat),
            ),
            (
                "pivot: actions by type (read_group, daily table)",
                timed(pivot_by_type, args.repeat),
            ),
            ("rule form: last 30 days", timed(rule_form, args.repeat)),
            ("same per-day read_group on the run log", timed(run_log_read_group, 1)),
        ]
        print(
            f"Status report of one rule with {total:,} runs over {len(groups)} days "
            f"(database {args.db}, add-on at {benchlib.addon_version()}, "
            f"median of {args.repeat})"
        )
        for label, seconds in results:
            print(f"  {label:<52} {seconds * 1000:9.1f} ms")
        worst = max(seconds for __, seconds in results[:3])
        verdict = "OK" if worst < TARGET else "MISSED"
        print(f"  target < {TARGET:.0f} s to open the report: {verdict}")
        cr.rollback()
        return 0 if worst < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
