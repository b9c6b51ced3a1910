#!/usr/bin/env python3
"""Backtest benchmark: a rule replayed over 100,000 tracked changes.

A script, not a test (``python3 bench/backtest.py --help``). It creates
``--leads`` leads and ``--changes`` tracked edits of their expected revenue
spread over the last ``--days`` days (SQL inserts of mail messages and
tracking values, as the chatter's tracking writes them), then times the
backtest of an inactive "edited" rule watching that field with two
conditions, as the rule form's **Backtest** button runs it. Target: under
10 s (issue 29). Everything is rolled back at the end.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib
from benchlib import log

TARGET = 10.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="crm_workflow_bench_backtest")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it exists"
    )
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="runs per median")
    return parser.parse_args(argv)


def fill(env, leads, changes, days):
    """The leads, then ``changes`` messages with one tracking value each,
    spread evenly over the period: the g-th change sets lead ``g % leads``'s
    revenue to g * 7 % 100000, from what that lead's previous change set
    (g - leads), or 0."""
    field = env["ir.model.fields"]._get("crm.lead", "expected_revenue")
    started = time.perf_counter()
    env.cr.execute(
        """INSERT INTO crm_lead (name, type, active, expected_revenue, probability,
                                 create_date, write_date, create_uid, write_uid)
           SELECT 'Bench backtest ' || g, 'opportunity', true, 0, 10,
                  (now() at time zone 'UTC') - interval '400 days',
                  now() at time zone 'UTC', 1, 1
             FROM generate_series(1, %s) AS g
        RETURNING id""",
        [leads],
    )
    ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        """WITH changes AS (
               SELECT g, (%s::int[])[1 + g %% %s] AS res_id,
                      (now() at time zone 'UTC')
                        - (%s * interval '1 day') * (1 - g::float / (%s + 1)) AS date
                 FROM generate_series(1, %s) AS g),
           messages AS (
               INSERT INTO mail_message (model, res_id, message_type, date,
                                         create_date, body)
               SELECT 'crm.lead', res_id, 'notification', date, date, g::text
                 FROM changes
               RETURNING id, body)
           INSERT INTO mail_tracking_value (mail_message_id, field_id,
                        old_value_float, new_value_float)
           SELECT m.id, %s,
                  CASE WHEN m.body::int > %s
                       THEN ((m.body::int - %s) * 7 %% 100000) ELSE 0 END,
                  (m.body::int * 7 %% 100000)
             FROM messages m""",
        [ids, len(ids), days, changes, changes, field.id, len(ids), len(ids)],
    )
    env.cr.execute(
        """UPDATE crm_lead l SET expected_revenue = t.last
             FROM (SELECT DISTINCT ON (m.res_id) m.res_id, v.new_value_float AS last
                     FROM mail_message m JOIN mail_tracking_value v
                       ON v.mail_message_id = m.id
                    WHERE m.model = 'crm.lead' AND m.res_id = ANY(%s)
                    ORDER BY m.res_id, m.id DESC) t
            WHERE l.id = t.res_id""",
        [ids],
    )
    env.cr.execute("ANALYZE mail_message")
    env.cr.execute("ANALYZE mail_tracking_value")
    log(
        f"{leads:,} leads and {changes:,} tracked changes in "
        f"{time.perf_counter() - started:.1f}s"
    )
    rule = env["crm.workflow.rule"].create(
        {
            "name": "Bench backtest rule",
            "trigger": "on_write",
            "active": False,
            "trigger_field_ids": [(6, 0, [field.id])],
            "condition_ids": [
                (0, 0, {"name": "Big", "domain": "[('expected_revenue', '>', 90000)]"}),
                (
                    0,
                    0,
                    {"name": "Medium", "domain": "[('expected_revenue', '>', 50000)]"},
                ),
            ],
        }
    )
    return rule


def main(argv=None):
    args = parse_args(argv)
    benchlib.ensure_pg()
    benchlib.create_db(args.db, keep=args.keep)
    registry = benchlib.load_registry(args.db)
    with registry.cursor() as cr:
        env = benchlib.superuser_env(cr)
        rule = fill(env, args.leads, args.changes, args.days)
        env.flush_all()
        Backtest = env["crm.workflow.backtest"]
        times, wizard = [], None
        for __ in range(args.repeat):
            env.invalidate_all()
            started = time.perf_counter()
            wizard = Backtest.create({"rule_id": rule.id, "days": args.days})
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        lines = {line.name: line for line in wizard.line_ids}
        # every 7th multiple over the thresholds: counted in SQL as a check
        cr.execute(
            """SELECT count(*) FILTER (WHERE v.new_value_float > 90000),
                      count(*) FILTER (WHERE v.new_value_float > 50000
                                         AND v.new_value_float <= 90000)
                 FROM mail_tracking_value v JOIN mail_message m
                   ON m.id = v.mail_message_id
                WHERE m.model = 'crm.lead' AND m.body ~ '^[0-9]+$'"""
        )
        big, medium = cr.fetchone()
        print(
            f"Backtest of an edited rule over {wizard.event_count:,} tracked changes "
            f"of {wizard.record_count:,} leads (database {args.db}, add-on at "
            f"{benchlib.addon_version()}, median of {args.repeat})"
        )
        print(
            f"  backtest: {median:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
        print(
            f"  matches: Big {lines['Big'].run_count:,} (SQL {big:,}), "
            f"Medium {lines['Medium'].run_count:,} (SQL {medium:,})"
        )
        ok = (
            median < TARGET
            and lines["Big"].run_count == big
            and lines["Medium"].run_count == medium
        )
        verdict = "OK" if ok else "MISSED"
        print(f"  target < {TARGET:.0f} s with the counts of SQL: {verdict}")
        cr.rollback()
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
