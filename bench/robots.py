#!/usr/bin/env python3
"""Stage robots against the same actions as rules, side by side (issue 11).

A script, not a test: ``python3 bench/robots.py [--n 10000] [--repeat 3]``.
It moves N leads to a stage that has 5 immediate robots (field update, tag,
task, notification, second field update), then the same N leads with the same
5 actions as 5 workflow rules watching the stage ("rules"), alternating the
two configurations run by run; each run is one transaction, rolled back.
Prints the medians and the ratio robots / rules (target: <= 1.2).
"""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib
from benchlib import log

ROBOT_PREFIX = "Bench robot "
RULE_PREFIX = "Bench R11 rule "


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="cwa_robots_bench")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the database")
    return parser.parse_args(argv)


def actions(fx, env):
    C = fx.Command
    tag = env["crm.tag"].search([("name", "=", "Bench tag")], limit=1) or env[
        "crm.tag"
    ].create({"name": "Bench tag"})
    return [
        {
            "action_type": "field_update",
            "update_field_id": fx.field(env, "priority").id,
            "update_value": "3",
        },
        {"action_type": "add_tags", "tag_ids": [C.set(tag.ids)]},
        {
            "action_type": "activity",
            "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
            "activity_summary": "Bench: call the customer",
            "activity_user_type": "owner",
        },
        {
            "action_type": "notify",
            "user_ids": [C.set(fx.notified.ids)],
            "notify_message": "<p>Bench: the stage changed</p>",
        },
        {
            "action_type": "field_update",
            "update_field_id": fx.field(env, "color").id,
            "update_value": "4",
        },
    ]


def setup(env, fx):
    """5 rules and 5 robots with the same actions, all inactive."""
    C = fx.Command
    Rule = env["crm.workflow.rule"].with_context(active_test=False)
    Robot = env["crm.workflow.robot"].with_context(active_test=False)
    Rule.search([("name", "=like", RULE_PREFIX + "%")]).unlink()
    Robot.search([("name", "=like", ROBOT_PREFIX + "%")]).unlink()
    Rule.search([]).write({"active": False})
    Robot.search([]).write({"active": False})
    env["crm.workflow.trigger"].search([]).write({"active": False})
    rules, robots = Rule, Robot
    for i, action in enumerate(actions(fx, env), 1):
        rules |= Rule.create(
            {
                "name": f"{RULE_PREFIX}{i}",
                "trigger": "on_write",
                "active": False,
                "trigger_field_ids": [C.set([fx.field(env, "stage_id").id])],
                "condition_ids": [
                    C.create(
                        {
                            "domain": f"[('stage_id', '=', {fx.stage_b})]",
                            "action_ids": [C.create(dict(action))],
                        }
                    )
                ],
            }
        )
        robots |= Robot.create(
            dict(
                action,
                name=f"{ROBOT_PREFIX}{i}",
                stage_id=fx.stage_b,
                sequence=i,
                active=False,
            )
        )
    env.cr.commit()
    return rules.ids, robots.ids


def main(argv=None):
    args = parse_args(argv)
    benchlib.ensure_pg()
    benchlib.create_db(args.db, keep=args.keep)
    registry = benchlib.load_registry(args.db)
    with registry.cursor() as cr:
        env = benchlib.superuser_env(cr)
        fx = benchlib.BenchData(env, args.n)
        rule_ids, robot_ids = setup(env, fx)
        ids = fx.lead_ids[: args.n]

        def configure(kind):
            env = benchlib.superuser_env(cr)
            env["crm.workflow.rule"].with_context(active_test=False).browse(
                rule_ids
            ).write({"active": kind == "rules"})
            env["crm.workflow.robot"].with_context(active_test=False).browse(
                robot_ids
            ).write({"active": kind == "robots"})
            cr.execute(
                "UPDATE crm_lead SET stage_id = %s WHERE id = ANY(%s)",
                [fx.stage_a, ids],
            )
            cr.commit()
            registry.clear_cache()

        def run(env, leads):
            leads.write({"stage_id": fx.stage_b})
            return leads

        def check(env, leads, result):
            env.cr.execute(
                "SELECT count(*) FROM crm_lead WHERE id = ANY(%s) AND color = 4",
                [ids],
            )
            done = env.cr.fetchone()[0]
            assert done == len(ids), f"only {done} of {len(ids)} leads were updated"

        samples = {"rules": [], "robots": []}
        for r in range(args.repeat):
            for kind in ("rules", "robots") if r % 2 == 0 else ("robots", "rules"):
                configure(kind)
                log(f"{kind} n={args.n} run {r + 1}/{args.repeat}")
                sample = benchlib.timed_run(
                    cr,
                    benchlib.superuser_env,
                    lambda env: env["crm.lead"].browse(ids),
                    run,
                    check,
                )
                samples[kind].append(sample.seconds)
        configure("none")
    rules = statistics.median(samples["rules"])
    robots = statistics.median(samples["robots"])
    print(
        f"moving {args.n} leads to a stage, 5 immediate actions, median of "
        f"{args.repeat} (shared, noisy machine)"
    )
    print(f"  as 5 rules:  {rules:.2f} s  {samples['rules']}")
    print(f"  as 5 robots: {robots:.2f} s  {samples['robots']}")
    print(f"  robots / rules = {robots / rules:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
