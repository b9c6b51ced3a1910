#!/usr/bin/env python3
# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The upgrade test's steps (tools/test_upgrade.sh runs them in order):

``populate``  with the OLD add-on's code: data of every kind its models
              have (rules of every trigger and action type, conditions,
              runs, done, failed and pending jobs, a rule for all companies);
``snapshot``  every row of the add-on's tables, m2m tables, settings and crons
              (SQL, every column) into a JSON file;
``check``     with the NEW code, after ``-u``: every row is still there with
              the same values, except the changes the migrations document
              (EXPECTED_* below); the demo data is loaded; the open jobs run
              through the runner cron, as the cron would, and end done.

Any loss fails loudly (exit status 1, one line per difference)."""

import argparse
import datetime
import decimal
import http.server
import itertools
import json
import os
import sys
import threading
from xml.etree import ElementTree

MODULE = "crm_workflow_automation"
PARAM_PREFIX = "crm_workflow_automation.%"

# Columns every migration may touch without changing what a row means.
IGNORED_COLUMNS = {"write_date", "write_uid"}
# (table, column) gone after the upgrade -> how its value must survive
# (a function of (old row, new tables) returning an error text or None).
EXPECTED_DROPPED = {}
# (table, column) whose value the upgrade may change -> a function of
# (old row, new row) returning an error text or None
EXPECTED_CHANGED = {}


def dropped(table, column):
    def register(func):
        EXPECTED_DROPPED[(table, column)] = func
        return func

    return register


@dropped("crm_workflow_action", "stage_id")
def _stage_renamed(row, after):
    """18.0.1.1.0: the set-stage target is target_stage_id."""
    new = after["crm_workflow_action"]["rows"][str(row["id"])]
    if new.get("target_stage_id") != row["stage_id"]:
        return f"stage_id {row['stage_id']} became {new.get('target_stage_id')}"
    return None


@dropped("crm_workflow_action", "code")
def _code_to_function(row, after):
    """18.0.1.2.0: a function action's inline code is a function it calls,
    with the same code (never replaced), not flagged when the code runs."""
    if row.get("action_type") != "function" or not (row["code"] or "").strip():
        return None
    new = after["crm_workflow_action"]["rows"][str(row["id"])]
    function = after["crm_workflow_function"]["rows"].get(str(new.get("function_id")))
    if not function:
        return "its code became no function"
    if function["code"] != row["code"]:
        return f"code {row['code']!r} became {function['code']!r}"
    if function.get("review_reason"):
        return f"its function is flagged ({function['review_reason']})"
    return None


def changed(table, column):
    def register(func):
        EXPECTED_CHANGED[(table, column)] = func
        return func

    return register


@changed("ir_config_parameter", "value")
def _demo_host_added(row, new):
    """The demo allow-lists 127.0.0.1 for its webhook when an upgrade brings
    it (crm_workflow_history_demo.xml): the hosts allowed before stay."""
    if row["key"] != "crm_workflow_automation.webhook_allowed_hosts":
        return f"{row['value']!r} became {new['value']!r}"
    before = {h.strip() for h in (row["value"] or "").split(",") if h.strip()}
    after = {h.strip() for h in (new["value"] or "").split(",") if h.strip()}
    if after != before | {"127.0.0.1"}:
        return f"{row['value']!r} became {new['value']!r}"
    return None


def _outcome_entries(text):
    """The JSON of an outcome text of 18.0.1.3.0 to 18.0.1.7.0: a line
    "<action id> <state>[ <due date> <due time>[ <job id>]]" per action."""
    entries = []
    for line in (text or "").splitlines():
        parts = line.split()
        if not parts:
            continue
        entry = {"action": int(parts[0]), "state": parts[1]}
        if len(parts) > 2:
            entry["due"] = " ".join(parts[2:4])
        if len(parts) > 4:
            entry["job"] = int(parts[4])
        entries.append(entry)
    return entries or None


@changed("crm_workflow_run", "outcome")
def _outcome_to_json(row, new):
    """18.0.1.8.0: the outcome's lines are JSON entries that say the same
    (an outcome already in JSON must not change)."""
    old = row["outcome"]
    if isinstance(old, str) and _outcome_entries(old) == new["outcome"]:
        return None
    return f"{old!r} became {new['outcome']!r}"


# ----------------------------------------------------------------------
# Odoo as a library
# ----------------------------------------------------------------------


def odoo_env(database, addons_path):
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(
        ["-d", database, f"--addons-path={addons_path}", "--log-level=warn"]
    )
    registry = Registry(database)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {"active_test": False})


# ----------------------------------------------------------------------
# populate (old code)
# ----------------------------------------------------------------------


def populate(env, port):
    """Data of every kind the installed version's models have, made through
    its own engine (runs and jobs come from real events)."""
    from odoo import Command, fields

    # localhost, not 127.0.0.1: the demo's webhook must get its host itself
    url = f"http://localhost:{port}/upgrade-hook"
    env["ir.config_parameter"].set_param(
        "crm_workflow_automation.webhook_allowed_hosts", "localhost"
    )
    Action = env["crm.workflow.action"]
    has = Action._fields.__contains__
    if not has("code") and not has("function_id"):
        sys.exit(
            "populate knows function actions with inline code (18.0.1.0.0,"
            " 18.0.1.1.0) or calling a function (18.0.1.2.0 on): teach it"
            " the version to test from"
        )
    functions = itertools.count(1)

    def code(text, name="Upgrade function"):
        """A function action's code: inline, or a function it calls."""
        if has("code"):
            return {"code": text}
        function = env["crm.workflow.function"].create(
            {"name": name, "api_name": f"upgrade_fn_{next(functions)}", "code": text}
        )
        return {"function_id": function.id}

    stage_field = "target_stage_id" if has("target_stage_id") else "stage_id"
    company = env.company
    company_b = env["res.company"].create({"name": "Upgrade Co B"})
    salesman = env["res.users"].create(
        {
            "name": "Upgrade Salesman",
            "login": "upgrade_salesman",
            "email": "upgrade.salesman@example.com",
            "company_id": company.id,
            "company_ids": [Command.set([company.id, company_b.id])],
            "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
        }
    )
    tag_a = env["crm.tag"].create({"name": "Upgrade A"})
    tag_b = env["crm.tag"].create({"name": "Upgrade B"})
    stage = env["crm.stage"].create({"name": "Upgrade Qualified", "sequence": 3})
    customer = env["res.partner"].create(
        {"name": "Upgrade Customer", "email": "customer@example.com"}
    )
    template = env["mail.template"].create(
        {
            "name": "Upgrade template",
            "model_id": env["ir.model"]._get_id("crm.lead"),
            "subject": "About {{ object.name }}",
            "body_html": "<p>Hello</p>",
        }
    )
    server_action = env["ir.actions.server"].create(
        {
            "name": "Upgrade server action",
            "model_id": env["ir.model"]._get_id("crm.lead"),
            "state": "code",
            "code": "records.write({'referred': 'server action'})",
        }
    )
    todo = env.ref("mail.mail_activity_data_todo")

    def field(name):
        return env["ir.model.fields"]._get("crm.lead", name).id

    priority_3 = env["ir.model.fields.selection"].search(
        [("field_id", "=", field("priority")), ("value", "=", "3")]
    )

    def rule(name, trigger, conditions, **values):
        return env["crm.workflow.rule"].create(
            {
                "name": name,
                "trigger": trigger,
                "user_id": salesman.id,
                "condition_ids": [
                    Command.create(
                        {
                            **{k: v for k, v in c.items() if k != "actions"},
                            "action_ids": [Command.create(a) for a in c["actions"]],
                        }
                    )
                    for c in conditions
                ],
                **values,
            }
        )

    webhook = {
        "action_type": "webhook",
        "name": "Post to the upgrade receiver",
        "webhook_url": url,
        "webhook_method": "POST",
        "webhook_headers": '{"X-Upgrade": "yes"}',
        "webhook_field_ids": [Command.set([field("name"), field("expected_revenue")])],
        "webhook_secret": "upgrade-secret",
        "webhook_signature_header": "X-Upgrade-Signature",
    }
    bare_except = (
        "try:\n"
        "    for record in records:\n"
        "        record.write({'referred': 'function %s' % record.id})\n"
        "except:\n"
        "    log('could not write', 'warning')\n"
    )
    # 1. every instant action type, scheduled ones of each anchor, a fallback;
    #    for all companies (the old default when emptied)
    rule(
        "Upgrade: big deal, every action",
        "on_create_or_write",
        [
            {
                "name": "Big deal",
                "domain": "[('expected_revenue', '>=', 10000)]",
                "actions": [
                    {
                        "action_type": "field_update",
                        "update_field_id": field("priority"),
                        "update_selection_value": priority_3.id,
                    },
                    {"action_type": "add_tags", "tag_ids": [Command.set(tag_a.ids)]},
                    {
                        "action_type": "email",
                        "mail_template_id": template.id,
                        "email_recipients": "addresses",
                        "email_addresses": "boss@example.com, cfo@example.com",
                    },
                    {
                        "action_type": "activity",
                        "activity_type_id": todo.id,
                        "activity_summary": "Call the big customer",
                        "activity_note": "<p>Soon</p>",
                        "activity_due_days": 2,
                        "activity_user_type": "user",
                        "activity_user_id": salesman.id,
                    },
                    {
                        "action_type": "notify",
                        "notify_group_id": env.ref("sales_team.group_sale_manager").id,
                        "notify_message": "<p>A big deal</p>",
                    },
                    {
                        "action_type": "add_followers",
                        "partner_ids": [Command.set(customer.ids)],
                    },
                    {"action_type": "function", **code(bare_except)},
                    webhook,
                    {
                        "action_type": "email",
                        "name": "Follow-up email in 3 days",
                        "timing": "scheduled",
                        "delay_amount": 3,
                        "delay_unit": "days",
                        "mail_template_id": template.id,
                        "email_recipients": "owner",
                    },
                    {
                        "action_type": "activity",
                        "name": "Task the day before the deadline",
                        "timing": "scheduled",
                        "delay_anchor": "date_field",
                        "delay_date_field_id": field("date_deadline"),
                        "delay_amount": -1,
                        "delay_unit": "days",
                        "recheck_condition": True,
                        "activity_type_id": todo.id,
                        "activity_summary": "Deadline tomorrow",
                        "activity_user_type": "field",
                        "activity_user_field_id": field("user_id"),
                    },
                    {
                        "action_type": "set_stage",
                        "name": "Qualify in 2 hours",
                        "timing": "scheduled",
                        "delay_amount": 2,
                        "delay_unit": "hours",
                        "delay_at_time": False,
                        stage_field: stage.id,
                    },
                    {
                        "action_type": "function",
                        "name": "Function in 1 hour (bare except)",
                        "timing": "scheduled",
                        "delay_amount": 1,
                        "delay_unit": "hours",
                        **code(bare_except),
                    },
                ],
            },
            {
                "name": "Otherwise",
                "is_fallback": True,
                "actions": [
                    {
                        "action_type": "assign_owner",
                        "assign_mode": "user",
                        "assign_user_id": salesman.id,
                    }
                ],
            },
        ],
        company_id=False,
        description="Every action type",
    )
    # 2. on create, a company's rule: conversion, field updates of each kind
    rule(
        "Upgrade: new lead",
        "on_create",
        [
            {
                "name": "A lead",
                "domain": "[('type', '=', 'lead')]",
                "actions": [
                    {"action_type": "convert", "convert_partner_action": "nothing"},
                    {
                        "action_type": "field_update",
                        "update_field_id": field("referred"),
                        "update_mode": "expression",
                        "update_expression": "'lead %s' % record.name",
                    },
                    {
                        "action_type": "field_update",
                        "update_field_id": field("color"),
                        "update_value": "5",
                    },
                    {
                        "action_type": "field_update",
                        "update_field_id": field("tag_ids"),
                        "update_m2m_operation": "add",
                        "update_record_ref": f"crm.tag,{tag_b.id}",
                    },
                    {
                        "action_type": "field_update",
                        "update_field_id": field("user_id"),
                        "update_record_ref": f"res.users,{salesman.id}",
                    },
                    {
                        "action_type": "assign_owner",
                        "assign_mode": "round_robin",
                    },
                ],
            }
        ],
        company_id=company.id,
        repeat_mode="first_match",
    )
    # 3. on a stage change, once per record, blocking
    rule(
        "Upgrade: stage changed",
        "on_write",
        [
            {
                "name": "Any",
                "domain": "[]",
                "actions": [
                    {
                        "action_type": "server_action",
                        "server_action_id": server_action.id,
                    },
                    {"action_type": "remove_tags", "tag_ids": [Command.set(tag_a.ids)]},
                    {
                        "action_type": "function",
                        **code(
                            "log('stage of %s' % len(records))\n"
                            "data['seen'] = len(records)"
                        ),
                    },
                ],
            }
        ],
        trigger_field_ids=[Command.set([field("stage_id")])],
        repeat_mode="first_match",
        on_error="block",
        company_id=False,
    )
    # 4. date rules (one pending in the future, overdue ones due now)
    rule(
        "Upgrade: deadline",
        "on_date",
        [
            {
                "name": "Open",
                "domain": "[('active', '=', True)]",
                "actions": [
                    {
                        "action_type": "activity",
                        "activity_type_id": todo.id,
                        "activity_summary": "Deadline",
                        "activity_user_type": "owner",
                    },
                    webhook,
                ],
            }
        ],
        date_field_id=field("date_deadline"),
        date_offset=-1,
        date_offset_unit="days",
        date_recurrence="once",
        date_include_overdue=True,
        company_id=False,
    )
    rule(
        "Upgrade: monthly on the closing date",
        "on_date",
        [{"name": "Any", "domain": "[]", "actions": [webhook]}],
        date_field_id=field("date_closed"),
        date_offset=2,
        date_offset_unit="hours",
        date_recurrence="monthly",
        company_id=company.id,
    )
    # 5. deletion, messages, activities done
    rule(
        "Upgrade: deleted",
        "on_unlink",
        [
            {
                "name": "Any",
                "domain": "[]",
                "actions": [
                    {"action_type": "notify", "user_ids": [Command.set(salesman.ids)]},
                    webhook,
                ],
            }
        ],
        company_id=False,
    )
    rule(
        "Upgrade: email received",
        "on_message_received",
        [
            {
                "name": "Any",
                "domain": "[]",
                "actions": [
                    {
                        "action_type": "add_followers",
                        "partner_ids": [Command.set(salesman.partner_id.ids)],
                    }
                ],
            }
        ],
    )
    rule(
        "Upgrade: email sent",
        "on_message_sent",
        [
            {
                "name": "Any",
                "domain": "[]",
                "actions": [
                    {
                        "action_type": "field_update",
                        "update_field_id": field("referred"),
                        "update_value": "mailed",
                    }
                ],
            }
        ],
    )
    rule(
        "Upgrade: task done",
        "on_activity_done",
        [
            {
                "name": "Any",
                "domain": "[]",
                "actions": [
                    {"action_type": "remove_tags", "tag_ids": [Command.set(tag_b.ids)]}
                ],
            }
        ],
        activity_type_ids=[Command.set(todo.ids)],
    )
    # 6. switched off, paused, of another company
    rule(
        "Upgrade: archived",
        "on_create",
        [{"name": "Any", "domain": "[]", "actions": [webhook]}],
        active=False,
    )
    paused = rule(
        "Upgrade: paused",
        "on_write",
        [{"name": "Any", "domain": "[]", "actions": [webhook]}],
        company_id=False,
    )
    paused.write({"paused": True, "pause_reason": "Paused before the upgrade"})
    rule(
        "Upgrade: company B",
        "on_create_or_write",
        [{"name": "Any", "domain": "[]", "actions": [webhook]}],
        company_id=company_b.id,
    )
    env.flush_all()

    # -- events -----------------------------------------------------------
    Lead = env["crm.lead"]
    today = fields.Date.context_today(Lead)
    later = today + datetime.timedelta(days=10)
    leads = Lead.create(
        [
            {
                "name": "Upgrade big deal",
                "type": "opportunity",
                "expected_revenue": 50000,
                "date_deadline": later,
            },
            {
                "name": "Upgrade small deal",
                "type": "opportunity",
                "expected_revenue": 10,
                "partner_id": customer.id,
            },
            {"name": "Upgrade lead", "type": "lead", "expected_revenue": 500},
            {
                "name": "Upgrade company B deal",
                "type": "opportunity",
                "company_id": company_b.id,
                "expected_revenue": 20000,
            },
            {"name": "Upgrade to delete", "type": "opportunity"},
        ]
    )
    leads[1].write({"stage_id": stage.id})
    leads[1].message_post(body="Question", message_type="email", author_id=customer.id)
    leads[1].message_post(
        body="Answer", message_type="comment", author_id=env.user.partner_id.id
    )
    leads[1].activity_schedule(
        activity_type_id=todo.id, summary="Upgrade call", user_id=salesman.id
    ).action_feedback("done")
    leads[4].unlink()
    env.flush_all()
    # the runner once: the webhooks fail (no receiver yet: failed, to retry),
    # the rest is done
    Job = env["crm.workflow.job"]
    Job._run_due_jobs(automatic=False)
    env.invalidate_all()
    # then jobs due now that no runner has seen: the day before a deadline
    # of today (an overdue date rule, a date-anchored action), new webhooks
    (leads[0] | leads[3]).write({"date_deadline": today, "expected_revenue": 90000})
    env.flush_all()
    jobs = Job.search([])
    print(
        f"populate: {env['crm.workflow.rule'].search_count([])} rules,"
        f" {env['crm.workflow.run'].search_count([])} runs, jobs by state:"
        f" {dict(sorted(_count(jobs, 'state').items()))}"
    )
    if "crm.workflow.function" in env:
        print("populate: functions, robots, triggers: not populated for this version")


def _count(records, fname):
    counts = {}
    for record in records:
        counts[record[fname]] = counts.get(record[fname], 0) + 1
    return counts


# ----------------------------------------------------------------------
# snapshot
# ----------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return value


def snapshot(env):
    """Every row of our models' tables (all columns), their m2m tables, our
    settings and crons, and the demo flag."""
    cr = env.cr
    cr.execute(
        "SELECT model FROM ir_model WHERE model LIKE 'crm.workflow.%%' ORDER BY model"
    )
    tables = {}
    m2m = set()
    for (model,) in cr.fetchall():
        if model not in env:
            continue
        Model = env[model]
        if Model._abstract or not Model._auto or Model._table in tables:
            continue
        tables[Model._table] = f"SELECT * FROM {Model._table} ORDER BY id"
        for f in Model._fields.values():
            if f.type == "many2many" and f.store and f.relation:
                m2m.add((f.relation, f.column1, f.column2))
    tables["ir_config_parameter"] = (
        "SELECT * FROM ir_config_parameter WHERE key LIKE %s ORDER BY id"
    )
    tables["ir_cron"] = (
        "SELECT c.* FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron'"
        " AND d.res_id = c.id AND d.module = %s ORDER BY c.id"
    )
    data = {}
    for table, query in tables.items():
        params = {
            "ir_config_parameter": [PARAM_PREFIX],
            "ir_cron": [MODULE],
        }.get(table)
        cr.execute(query, params)
        columns = [d.name for d in cr.description]
        rows = {
            str(row[0]): {c: _plain(v) for c, v in zip(columns, row, strict=True)}
            for row in cr.fetchall()
        }
        data[table] = {"columns": columns, "rows": rows}
    for relation, col1, col2 in sorted(m2m):
        # table and column names read from the catalog
        cr.execute(f'SELECT "{col1}", "{col2}" FROM "{relation}"')
        data[relation] = {"pairs": sorted(list(p) for p in cr.fetchall())}
    return data


# ----------------------------------------------------------------------
# check (new code)
# ----------------------------------------------------------------------


def compare(before, after):
    """Differences that lose or change data, one text each."""
    problems = []
    for table, old in before.items():
        new = after.get(table)
        if new is None:
            problems.append(f"{table}: the table is gone")
            continue
        if "pairs" in old:
            lost = {tuple(p) for p in old["pairs"]} - {tuple(p) for p in new["pairs"]}
            problems += [f"{table}: pair {p} lost" for p in sorted(lost)]
            continue
        gone = [c for c in old["columns"] if c not in new["columns"]]
        for column in gone:
            if (table, column) not in EXPECTED_DROPPED:
                problems.append(f"{table}.{column}: the column is gone")
        for id_, row in old["rows"].items():
            new_row = new["rows"].get(id_)
            if new_row is None:
                problems.append(f"{table} {id_}: the row is gone ({_label(row)})")
                continue
            for column, value in row.items():
                if column in IGNORED_COLUMNS:
                    continue
                if column in gone:
                    check = EXPECTED_DROPPED.get((table, column))
                    error = check and check(row, after)
                    if error:
                        problems.append(f"{table} {id_}.{column}: {error}")
                    continue
                if new_row[column] == value:
                    continue
                check = EXPECTED_CHANGED.get((table, column))
                error = (
                    check(row, new_row)
                    if check
                    else f"{value!r} became {new_row[column]!r}"
                )
                if error:
                    problems.append(f"{table} {id_}.{column}: {error}")
    return problems


def _label(row):
    return row.get("name") or row.get("key") or row.get("idempotency_key") or ""


def demo_problems(env, addon_dir):
    """The demo flag is set and every demo record of the new version exists."""
    problems = []
    module = env["ir.module.module"].search([("name", "=", MODULE)])
    if not module.demo:
        problems.append(f"{MODULE}: the module is marked as without demo data")
    manifest = _manifest(addon_dir)
    for path in manifest.get("demo", []):
        tree = ElementTree.parse(os.path.join(addon_dir, path))
        for node in tree.iter("record"):
            xmlid = node.get("id")
            xmlid = xmlid if "." in xmlid else f"{MODULE}.{xmlid}"
            if not env.ref(xmlid, raise_if_not_found=False):
                problems.append(f"demo record {xmlid} ({path}) is missing")
    return problems


def _manifest(addon_dir):
    import ast

    with open(os.path.join(addon_dir, "__manifest__.py")) as f:
        return ast.literal_eval(f.read())


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers every webhook 200 and counts them."""

    received = []

    def do_POST(self):  # http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        Receiver.received.append((self.path, self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    do_PUT = do_PATCH = do_DELETE = do_GET = do_POST

    def log_message(self, *args):
        pass


def run_open_jobs(env, before, port):
    """Run the jobs open before the upgrade through the runner cron (its
    server action, as the cron thread would), a receiver listening for the
    webhooks. Jobs due after a trigger delay are made due now; date-anchored
    ones and date rules in the future must stay pending, untouched."""
    from odoo import fields

    cr = env.cr
    now = fields.Datetime.now()
    jobs = before["crm_workflow_job"]["rows"]
    actions = before["crm_workflow_action"]["rows"]
    open_ids = [int(i) for i, j in jobs.items() if j["state"] in ("pending", "failed")]
    waiting, advanced = [], []
    for id_ in open_ids:
        job = jobs[str(id_)]
        action = actions.get(str(job["action_id"])) or {}
        if job["eta"] <= now.isoformat():
            continue
        if job["job_type"] == "action" and action.get("delay_anchor") != "date_field":
            advanced.append(id_)
        else:
            waiting.append(id_)
    if advanced:
        cr.execute(
            "UPDATE crm_workflow_job SET eta = %s WHERE id = ANY(%s)",
            [now, advanced],
        )
    cr.commit()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        cron = env.ref(f"{MODULE}.ir_cron_run_due_jobs")
        for _ in range(5):
            cron.method_direct_trigger()
            cr.commit()
            cr.execute(
                "SELECT count(*) FROM crm_workflow_job WHERE state IN"
                " ('pending', 'failed') AND eta <= now() at time zone 'UTC'"
            )
            if not cr.fetchone()[0]:
                break
    finally:
        server.shutdown()
    env.invalidate_all()
    problems = []
    cr.execute(
        "SELECT id, state, attempts, last_error, company_id FROM crm_workflow_job"
        " WHERE id = ANY(%s) ORDER BY id",
        [open_ids],
    )
    states = {}
    no_company = 0
    for id_, state, attempts, error, company_id in cr.fetchall():
        states[state] = states.get(state, 0) + 1
        if id_ in waiting:
            if state != "pending" or attempts != jobs[str(id_)]["attempts"]:
                problems.append(f"job {id_} (not due yet) became {state}")
        elif state != "done":
            problems.append(f"job {id_} did not run: {state} ({error})")
        elif company_id is None:
            no_company += 1
    ran = len(open_ids) - len(waiting)
    print(
        f"jobs: {len(open_ids)} open before the upgrade, {ran} ran"
        f" ({no_company} of rules for all companies), {len(waiting)} not due;"
        f" states after: {states}; webhooks received: {len(Receiver.received)}"
    )
    if ran == 0 or no_company == 0:
        problems.append("the test data has no due job (of a rule for all companies)")
    cr.execute(
        "SELECT count(*), count(*) FILTER (WHERE state = 'failed')"
        " FROM crm_workflow_run WHERE job_id = ANY(%s) AND create_date >= %s",
        [open_ids, now],
    )
    logged, failed = cr.fetchone()
    if not logged or failed:
        problems.append(f"the jobs' runs: {logged} logged, {failed} failed")
    return problems


def job_side_problems(env):
    """What 18.0.1.8.0 adds to older data: the runner crons marked, and the
    open jobs of scheduled actions and robots knowing the event that queued
    them (older releases kept it only in the idempotency key)."""
    cr = env.cr
    problems = []
    cr.execute(
        "SELECT count(*) FROM crm_workflow_job WHERE job_type IN ('action', 'robot')"
        " AND origin_event_uid IS DISTINCT FROM split_part(idempotency_key, ':', 4)"
    )
    wrong = cr.fetchone()[0]
    if wrong:
        problems.append(f"{wrong} job(s) without the event that queued them")
    runners = env["crm.workflow.job"]._runner_crons()
    numbers = runners.mapped("crm_workflow_runner")
    if numbers[:2] != [1, 2] or runners[0] != env.ref(f"{MODULE}.ir_cron_run_due_jobs"):
        problems.append(f"the runner crons are not marked: {numbers}")
    print(f"job side: runner crons {numbers}, every job knows its event")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("populate", "snapshot", "check"))
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--snapshot", help="JSON file (written or read)")
    parser.add_argument("--addon-dir", help="the new add-on (demo files)")
    parser.add_argument("--port", type=int, default=8181)
    args = parser.parse_args()
    env = odoo_env(args.database, args.addons_path)
    with env.cr:
        if args.step == "populate":
            populate(env, args.port)
            env.cr.commit()
            return 0
        if args.step == "snapshot":
            data = snapshot(env)
            with open(args.snapshot, "w") as f:
                json.dump(data, f, indent=1, sort_keys=True)
            rows = sum(len(t.get("rows", t.get("pairs", []))) for t in data.values())
            print(f"snapshot: {len(data)} tables, {rows} rows -> {args.snapshot}")
            return 0
        with open(args.snapshot) as f:
            before = json.load(f)
        after = snapshot(env)
        problems = compare(before, after)
        rows = sum(len(t.get("rows", t.get("pairs", []))) for t in before.values())
        print(f"compare: {rows} rows of {len(before)} tables before the upgrade")
        problems += demo_problems(env, args.addon_dir)
        problems += job_side_problems(env)
        problems += run_open_jobs(env, before, args.port)
    for problem in problems:
        print(f"LOST: {problem}", file=sys.stderr)
    if problems:
        print(f"FAILED: {len(problems)} problem(s) after the upgrade", file=sys.stderr)
        return 1
    print("upgrade check passed: nothing lost, demo data loaded, open jobs done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
