#!/usr/bin/env python3
"""What one bulk write of the run log costs in PostgreSQL, part by part
(issue 15): the COPY of ``--rows`` rows shaped as bench/engine.py's scenario 4
writes them (a row per lead and rule), into copies of the run log's table
that add its parts one at a time: the heap alone, the primary key, the
indexes, the foreign keys (all NULL in a rule's rows, checked all the same),
then the table itself. Each COPY is rolled back; medians of ``--repeat``.

A script, not a test: ``python3 bench/run_log_copy.py [--rows 50000]``.
It uses bench/engine.py's database (``--db``), created if missing.
"""

import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib

COLUMNS = (
    "rule_id, condition_id, action_id, job_id, res_model, res_id, state, error,"
    " duration, user_id, trigger, depth, event_uid, company_id, function_id,"
    " caller, result, robot_id, trigger_id, record_name, changed_fields, outcome,"
    " create_date"
)
KEYS = (
    ("action_id", "crm_workflow_action", "SET NULL"),
    ("function_id", "crm_workflow_function", "CASCADE"),
    ("job_id", "crm_workflow_job", "SET NULL"),
    ("robot_id", "crm_workflow_robot", "CASCADE"),
    ("trigger_id", "crm_workflow_trigger", "CASCADE"),
)


def rows(n, rules=5):
    buffer = io.StringIO()
    for i in range(n):
        fields = [
            "\\N",  # the rule: no key on it any more (LogReference)
            str(10 + i % rules),
            "\\N",
            "\\N",
            "crm.lead",
            str(100_000 + i // rules),
            "done",
            "\\N",
            "0.00012",
            "2",
            "write",
            "0",
            "0123456789abcdef0123456789abcdef",
            "1",
            "\\N",
            "\\N",
            "\\N",
            "\\N",
            "\\N",
            f"Bench lead {i // rules}",
            "stage_id",
            f'[{{"action":{40 + i % rules},"state":"done"}}]',
            "2026-12-03 17:00:00.123456",
        ]
        buffer.write("\t".join(fields) + "\n")
    buffer.seek(0)
    return buffer


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=benchlib.DEFAULT_DB)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    benchlib.ensure_pg()
    benchlib.create_db(args.db, keep=True)
    import psycopg2

    conn = psycopg2.connect(dbname=args.db)
    cr = conn.cursor()
    keys = "".join(
        f"ALTER TABLE cwa_copy ADD FOREIGN KEY ({col}) REFERENCES {table}(id)"
        f" ON DELETE {action};"
        for col, table, action in KEYS
    )
    like = "CREATE TABLE cwa_copy (LIKE crm_workflow_run INCLUDING DEFAULTS"
    variants = (
        ("heap only", f"{like});", "cwa_copy"),
        (
            "+ primary key",
            f"{like}); ALTER TABLE cwa_copy ADD PRIMARY KEY (id);",
            "cwa_copy",
        ),
        ("+ the log's indexes", f"{like} INCLUDING INDEXES);", "cwa_copy"),
        ("+ its 5 foreign keys", f"{like} INCLUDING INDEXES); {keys}", "cwa_copy"),
        ("crm_workflow_run itself", "", "crm_workflow_run"),
    )
    samples = {label: [] for label, __, __ in variants}
    for __ in range(args.repeat):
        # the variants in turn, each on a fresh table: the same noise for all
        for label, ddl, table in variants:
            cr.execute("DROP TABLE IF EXISTS cwa_copy;" + ddl)
            conn.commit()
            buffer = rows(args.rows)
            started = time.perf_counter()
            cr.copy_expert(f"COPY {table} ({COLUMNS}) FROM STDIN", buffer)
            samples[label].append(time.perf_counter() - started)
            conn.rollback()
    cr.execute("DROP TABLE IF EXISTS cwa_copy")
    conn.commit()
    print(
        f"COPY of {args.rows:,} run-log rows (scenario 4's shape), "
        f"median of {args.repeat}, rolled back"
    )
    previous = None
    for label, __, __ in variants:
        median = statistics.median(samples[label])
        step = f"  (+{median - previous:.3f})" if previous is not None else ""
        print(
            f"  {label:26} {median:6.3f} s"
            f"  {median / args.rows * 1e6:5.1f} µs/row{step}"
        )
        previous = median


if __name__ == "__main__":
    main()
