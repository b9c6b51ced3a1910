"""Screenshots of the add-on's main screens, in English and Japanese.

Usage: tools/screenshots.py [--database DB] [--port PORT] [--out DIR]

Creates (or reuses) a demo database with both add-ons, their demo data and
de/fr/ja (as `make demo` does), serves it in the background, drives Debian's
chromium with Playwright as admin and saves `<screen>.<lang>.png` into
docs/screenshots/ (and the English ones into the add-on's
static/description/, where OCA readmes take their images). The server is
stopped at the end. Waits are on the page's `load` and on selectors, never on
"network idle": Odoo's bus long-polls.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = "crm_workflow_automation,crm_workflow_automation_sms"
LANGS = "de_DE,fr_FR,ja_JP"
SHOT_LANGS = {"en_US": "en", "ja_JP": "ja"}
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT = 60_000

# Run in `odoo shell` on a new database: admin / admin in English, and, when
# the demo left the run log empty, a short true history made through the
# add-on's own path (edits that fire the demo rules, due jobs run once).
PREPARE = """
# the shell runs as OdooBot (en_US, loaded first; set again for older databases):
# the history's texts (errors) are written in English, as admin would see them
env = env(context=dict(env.context, lang="en_US"))
env["res.lang"]._activate_lang("en_US")
admin = env.ref("base.user_admin")
admin.write({"password": "admin", "lang": "en_US"})
if not env["crm.workflow.run"].search_count([("rule_id", "!=", False)]):
    Lead = env["crm.lead"]
    desks = Lead.search([("name", "ilike", "20 Desks")], limit=1)
    if desks:
        desks.write({"expected_revenue": 65000, "probability": 85})
    won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    opp = Lead.search([("type", "=", "opportunity"), ("stage_id.is_won", "=", False),
                       ("id", "!=", desks.id)], limit=1)
    if won and opp:
        opp.write({"stage_id": won.id})
    promising = env.ref("crm_workflow_automation.crm_tag_promising_demo", False)
    lead = Lead.search([("type", "=", "lead")], limit=1)
    if promising and lead:
        lead.write({"tag_ids": [(4, promising.id)]})
    env.cr.commit()
    env["crm.workflow.job"]._run_due_jobs()
env.cr.commit()
"""


def odoo(*args, stdin=None):
    cmd = [os.environ.get("PYTHON", sys.executable), "-m", "odoo", *args]
    subprocess.run(cmd, input=stdin, text=True, check=True, cwd=ROOT)


def addons_path():
    return subprocess.check_output(
        [str(ROOT / "tools/addons_path.sh")], text=True
    ).strip()


def database_ready(db):
    out = subprocess.run(
        [
            "psql",
            "-d",
            db,
            "-Atc",
            "select 1 from ir_module_module where name='crm_workflow_automation_sms' "
            "and state='installed'",
        ],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def ensure_database(db):
    path = addons_path()
    if database_ready(db):
        # as make demo does: the screens show the code of this checkout
        print(f"Reusing the database '{db}' (updating the add-ons).", flush=True)
        odoo(
            "-d",
            db,
            f"--addons-path={path}",
            "-u",
            ADDONS,
            "--stop-after-init",
            "--no-http",
            "--log-level=warn",
        )
        return
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    print(
        f"Creating the database '{db}' with both add-ons, demo data and {LANGS}.",
        flush=True,
    )
    odoo(
        "-d",
        db,
        f"--addons-path={path}",
        "-i",
        ADDONS,
        # en_US first: the first loaded language is the new database's default
        # (OdooBot's, the language of the demo's chatter messages)
        f"--load-language=en_US,{LANGS}",
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    )
    odoo(
        "shell",
        "-d",
        db,
        f"--addons-path={path}",
        "--no-http",
        "--log-level=warn",
        stdin=PREPARE,
    )


def start_server(db, port):
    log = open(f"/tmp/cwa-screenshots-{port}.log", "w")  # lives with the server
    cmd = [
        os.environ.get("PYTHON", sys.executable),
        "-m",
        "odoo",
        "-d",
        db,
        f"--addons-path={addons_path()}",
        f"--db-filter=^{db}$",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={port + 1}",
        "--max-cron-threads=0",
        "--log-level=warn",
    ]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/login", timeout=5
            ):
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"Odoo stopped, see {log.name}")
            time.sleep(1)
    server.terminate()
    sys.exit(f"Odoo did not answer on port {port}, see {log.name}")


def record_id(db, xmlid):
    module, name = xmlid.split(".")
    out = subprocess.check_output(
        [
            "psql",
            "-d",
            db,
            "-Atc",
            "select res_id from ir_model_data "
            f"where module='{module}' and name='{name}'",
        ],
        text=True,
    )
    return int(out.strip())


def set_lang(page, lang):
    """Switch admin's language through the ORM (the server caches user contexts)."""
    page.evaluate(
        """async (lang) => {
            const orm = odoo.__WOWL_DEBUG__.root.env.services.orm;
            const ids = await orm.search("res.users", [["login", "=", "admin"]]);
            await orm.write("res.users", ids, {lang});
        }""",
        lang,
    )


class Shooter:
    def __init__(self, page, base, out, suffix):
        self.page, self.base, self.out, self.suffix = page, base, out, suffix
        self.saved = []

    def goto(self, path, selector):
        self.page.goto(self.base + path, wait_until="load")
        self.page.wait_for_selector(selector, timeout=TIMEOUT)
        self.settle()

    def settle(self):
        # the web client is idle when its loading indicator is gone
        self.page.wait_for_function(
            "() => !document.querySelector('.o_loading_indicator, .o_blockUI')",
            timeout=TIMEOUT,
        )
        self.page.wait_for_timeout(700)

    def shot(self, name, locator=None):
        path = self.out / f"{name}.{self.suffix}.png"
        self.page.screenshot(path=str(path))
        self.saved.append(path)
        print(f"  {path.relative_to(ROOT)}", flush=True)

    def do_action(self, action):
        self.page.evaluate(
            "(a) => odoo.__WOWL_DEBUG__.root.env.services.action.doAction(a)", action
        )


def take(db, port, out, lang, suffix, ids):
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{base}/web/login?db={db}", wait_until="load")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar", timeout=TIMEOUT)
        set_lang(page, lang)
        s = Shooter(page, base, out, suffix)

        rule_action = "action-crm_workflow_automation.crm_workflow_rule_action"
        s.goto(f"/odoo/{rule_action}/{ids['big_deal']}", ".o_form_view .o_field_widget")
        s.shot("rule_form")

        page.click("button[name=action_preview]")
        page.wait_for_selector(".modal .o_form_view", timeout=TIMEOUT)
        s.settle()
        s.shot("preview")
        page.click(".modal .modal-footer button.btn-primary")
        page.wait_for_selector(".modal", state="detached", timeout=TIMEOUT)

        # what the rule would have done over the demo's history
        page.click("button[name=action_backtest]")
        page.wait_for_selector(".modal .o_form_view", timeout=TIMEOUT)
        s.settle()
        s.shot("backtest")
        page.click(".modal .modal-footer button.btn-primary")
        page.wait_for_selector(".modal", state="detached", timeout=TIMEOUT)

        s.do_action(
            {
                "type": "ir.actions.client",
                "tag": "crm_workflow_automation.board",
                "params": {"team_id": ids["furniture"]},
            }
        )
        page.wait_for_selector(".o_cwa_board .o_cwa_column", timeout=TIMEOUT)
        s.settle()
        # all the pipeline's stages in 1280 pixels
        # the stages of the furniture pipeline (the shared stages come first, empty)
        page.evaluate(
            """() => {
                document.querySelector('.o_cwa_board').style.zoom = '0.9';
                const first = [...document.querySelectorAll('.o_cwa_column')].find(
                    (c) => c.querySelector('.o_cwa_robot, .o_cwa_trigger'));
                if (first) { first.parentElement.scrollLeft = first.offsetLeft - 8; }
            }"""
        )
        page.wait_for_timeout(300)
        s.shot("automation_board")

        s.goto(
            "/odoo/action-crm_workflow_automation.crm_workflow_run_action",
            ".o_list_view .o_data_row, .o_view_nocontent",
        )
        s.shot("execution_log")

        s.goto(
            "/odoo/action-crm_workflow_automation.crm_workflow_run_daily_action",
            ".o_graph_view, .o_pivot_view, .o_list_view",
        )
        # the pivot reads better than a line over a day or two of history
        page.click(".o_switch_view.o_pivot")
        page.wait_for_selector(".o_pivot table", timeout=TIMEOUT)
        page.mouse.move(640, 700)  # no tooltip
        s.settle()
        s.shot("status_report")

        trigger_action = "action-crm_workflow_automation.crm_workflow_trigger_action"
        s.goto(
            f"/odoo/{trigger_action}/{ids['paid_trigger']}",
            ".o_form_view .o_field_widget[name=webhook_queued]",
        )
        s.shot("webhook_trigger")

        # the no-code robots and email follow-up of issue 28
        robot_action = "action-crm_workflow_automation.crm_workflow_robot_action"
        for name, path in (
            ("document_robot", f"/odoo/{robot_action}/{ids['document_robot']}"),
            (
                "working_time_robot",
                f"/odoo/{robot_action}/{ids['working_time_robot']}",
            ),
            ("email_not_answered", f"/odoo/{rule_action}/{ids['not_answered']}"),
        ):
            s.goto(path, ".o_form_view .o_field_widget")
            s.shot(name)

        fn_action = "action-crm_workflow_automation.crm_workflow_function_action"
        s.goto(f"/odoo/{fn_action}/{ids['function']}", ".o_form_view .o_field_widget")
        page.click("button[name=action_open_test]")
        page.wait_for_selector(".modal .o_form_view", timeout=TIMEOUT)
        s.settle()
        field = page.locator(".modal div[name=record_ref]")
        select = field.locator("select")
        if select.count():
            values = select.locator("option").evaluate_all(
                "os => os.map((o) => o.value)"
            )
            select.select_option(next(v for v in values if "res.partner" in v))
            s.settle()
        field.locator("input").first.fill(ids["company_name"][:15])
        page.wait_for_selector(".o-autocomplete--dropdown-item", timeout=TIMEOUT)
        page.locator(".o-autocomplete--dropdown-item").first.click()
        s.settle()
        page.click(".modal button[name=action_run]")
        page.wait_for_selector(".modal .o_field_widget[name=duration]", timeout=TIMEOUT)
        s.settle()
        s.shot("function_test")
        set_lang(page, "en_US")
        browser.close()
    return s.saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="crm_workflow_screens")
    parser.add_argument("--port", type=int, default=8075)
    parser.add_argument("--out", default=str(ROOT / "docs/screenshots"))
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database)
    ids = {
        "big_deal": record_id(
            args.database, "crm_workflow_automation.crm_workflow_rule_big_deal_demo"
        ),
        "furniture": record_id(
            args.database, "crm_workflow_automation.crm_team_furniture_demo"
        ),
        "paid_trigger": record_id(
            args.database,
            "crm_workflow_automation.crm_workflow_trigger_furniture_paid_demo",
        ),
        "function": record_id(
            args.database,
            "crm_workflow_automation.crm_workflow_function_copy_address_demo",
        ),
        "document_robot": record_id(
            args.database,
            "crm_workflow_automation.crm_workflow_robot_furniture_offer_demo",
        ),
        "working_time_robot": record_id(
            args.database,
            "crm_workflow_automation.crm_workflow_robot_furniture_delivery_call_demo",
        ),
        "not_answered": record_id(
            args.database,
            "crm_workflow_automation.crm_workflow_rule_not_answered_demo",
        ),
    }
    ids["company_name"] = subprocess.check_output(
        [
            "psql",
            "-d",
            args.database,
            "-Atc",
            "select p.name from res_partner p where p.is_company and p.active "
            "and exists (select 1 from res_partner c "
            "where c.parent_id = p.id and c.type = 'contact') "
            "order by p.id limit 1",
        ],
        text=True,
    ).strip()
    server = start_server(args.database, args.port)
    saved = []
    try:
        for lang, suffix in SHOT_LANGS.items():
            print(f"Screenshots in {lang}:", flush=True)
            saved += take(args.database, args.port, out, lang, suffix, ids)
    finally:
        server.terminate()
        server.wait(timeout=60)
    description = ROOT / "crm_workflow_automation/static/description"
    for path in saved:
        if (
            path.name.endswith(".en.png")
            and out == (ROOT / "docs/screenshots").resolve()
        ):
            shutil.copy(path, description / path.name.replace(".en.png", ".png"))
    print(f"{len(saved)} screenshots in {out}; the server is stopped.")


if __name__ == "__main__":
    main()
