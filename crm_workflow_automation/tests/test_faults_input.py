# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bad input, property-based (hypothesis): random criteria, field-update
values and expressions, header JSON, delays, URLs and date offsets go through
``create``/``write`` as a Workflow Manager (a Developer for expressions).
Every refusal is a ValidationError or UserError that names the field; every
accepted rule runs on a batch of leads without a crash. Pytest only (a few
minutes): Odoo's runner does not import it. The inputs found wanting one by
one (issue 24) are cases of test_faults_input_cases.py, which both runners
run."""

# pylint: disable=print-used  # the FAULT line is the test's report (pytest -s)

import contextlib
import json
from datetime import datetime, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import WorkflowCase

# bounded and reproducible: a few seconds per property on a loaded machine
EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    # no shrinking: a failure is reported as found (shrinking took minutes)
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# far enough for short delays; a recurring date rule then reschedules only a
# few times (at 2100 a monthly rule would rerun every month until then)
SOON_AFTER = timedelta(days=2)
TALLY = {"tried": 0, "refused": 0, "accepted": 0}

LEAD_FIELDS = (
    "name",
    "expected_revenue",
    "probability",
    "stage_id",
    "stage_id.name",
    "date_deadline",
    "tag_ids",
    "user_id",
    "active",
    "no_such_field",
)
OPERATORS = ("=", "!=", ">", "<=", "in", "not in", "ilike", "=?", "child_of", "~~")
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.sampled_from(["2026-01-01", "not a date", "2026-13-45 25:00:00"]),
)
leaves = st.tuples(st.sampled_from(LEAD_FIELDS), st.sampled_from(OPERATORS), values)
domains = st.one_of(
    st.lists(st.one_of(leaves, st.sampled_from(["&", "|", "!"])), max_size=4).map(repr),
    st.text(max_size=40),
    st.sampled_from(["[", "[('name', '=')]", "__import__('os')", "{}", "[1, 2]"]),
)
header_json = st.one_of(
    st.text(max_size=30),
    st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3).map(
        json.dumps
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
        lambda inner: st.lists(inner, max_size=2)
        | st.dictionaries(st.text(max_size=4), inner, max_size=2),
        max_leaves=4,
    ).map(json.dumps),
)
# hosts that resolve without DNS: the test must not depend on the network
HOSTS = (
    "127.0.0.1",
    "localhost",
    "10.0.0.7",
    "169.254.169.254",
    "[::1]",
    "0.0.0.0",
    "user:pw@127.0.0.1",
    "",
)
urls = st.one_of(
    st.builds(
        "{}://{}{}/{}".format,
        st.sampled_from(["http", "https", "ftp", "javascript", "HTTP", ""]),
        st.sampled_from(HOSTS),
        st.sampled_from(["", ":9", ":0", ":99999", ":x"]),
        st.text(max_size=15),
    ),
    st.text(max_size=30),
)
delays = st.fixed_dictionaries(
    {
        "delay_amount": st.integers(min_value=-(2**40), max_value=2**40),
        "delay_unit": st.sampled_from(["minutes", "hours", "days", "weeks", "months"]),
        "delay_at_time": st.booleans(),
        "delay_time_of_day": st.floats(allow_nan=True, allow_infinity=True),
    }
)
offsets = st.fixed_dictionaries(
    {
        "date_offset": st.integers(min_value=-(2**40), max_value=2**40),
        "date_offset_unit": st.sampled_from(["minutes", "hours", "days", "weeks"]),
        "date_recurrence": st.sampled_from(["once", "monthly", "yearly"]),
    }
)
expressions = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "record.expected_revenue * 0.1",
            "1 / 0",
            "record.no_such_field",
            "__import__('os').system('true')",
            "record.name + 1",
            "'x' * 10**6",  # large, yet bounded: 10**9 made error texts of GBs
            "",
        ]
    ),
)


@tagged("post_install", "-at_install")
class TestBadInput(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "127.0.0.1"
        )
        cls.manager = cls.sales_manager
        cls.developer = new_test_user(
            cls.env,
            login="cwa_fault_developer",
            groups="sales_team.group_sale_manager,"
            "crm_workflow_automation.group_workflow_developer",
        )
        cls.leads = cls.Lead.create(
            [
                {"name": f"Input lead {n}", "expected_revenue": n * 1000.0}
                for n in range(5)
            ]
        )

    @classmethod
    def tearDownClass(cls):
        print(
            f"\nFAULT bad input: {TALLY['tried']} inputs tried, {TALLY['refused']} "
            f"refused with the field named, {TALLY['accepted']} accepted and run on "
            f"{len(cls.leads)} leads, 0 tracebacks"
        )
        super().tearDownClass()

    def attempt(self, names, make, user=None):
        """Save a rule with ``make(Rule)`` as ``user``; a refusal must name one
        of ``names``, an accepted rule must run on the leads (created, edited,
        and its jobs) without an exception. Nothing of it is kept."""
        TALLY["tried"] += 1
        Rule = self.env["crm.workflow.rule"].with_user(user or self.manager)
        try:
            with contextlib.suppress(_Refused), self.env.cr.savepoint():
                try:
                    rule = make(Rule)
                    rule.env.flush_all()
                except UserError as e:  # ValidationError and AccessError included
                    message = str(e).lower()
                    self.assertTrue(
                        any(name.lower() in message for name in names),
                        f"the refusal names none of {names}: {e}",
                    )
                    TALLY["refused"] += 1
                    raise _Refused() from None
                TALLY["accepted"] += 1
                self.run_on_leads(rule)
                raise _Refused()  # roll the accepted rule back too
        finally:
            self.env.invalidate_all()
            self.env.registry.clear_cache()

    def run_on_leads(self, rule):
        leads = self.leads.with_user(self.manager)
        leads.write({"expected_revenue": 4242.0, "description": "touched"})
        self.Lead.with_user(self.manager).create({"name": "Input lead new"})
        Job = self.env["crm.workflow.job"].sudo()
        Job._run_due_jobs(automatic=False, now=datetime.now() + SOON_AFTER)
        self.env.flush_all()

    def rule_with(self, Rule, action=None, condition=None, **rule_values):
        return Rule.create(
            {
                "name": "Input rule",
                "trigger": "on_create_or_write",
                "condition_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "domain": "[]",
                            **(condition or {}),
                            "action_ids": [Command.create(action)] if action else [],
                        }
                    )
                ],
                **rule_values,
            }
        )

    @EXAMPLES
    @given(domain=domains)
    def test_random_criteria(self, domain):
        self.attempt(
            ["criteria"],
            lambda Rule: self.rule_with(
                Rule, self.set_priority("2"), condition={"domain": domain}
            ),
        )

    @EXAMPLES
    @given(field=st.sampled_from(LEAD_FIELDS[:7]), value=values.map(str))
    def test_random_field_update_values(self, field, value):
        fname = field.split(".")[0]
        self.attempt(
            ["field", "value", "number", "date", fname],
            lambda Rule: self.rule_with(Rule, self.field_update(fname, value)),
        )

    @EXAMPLES
    @given(expression=expressions)
    def test_random_field_update_expressions(self, expression):
        action = dict(
            self.field_update("expected_revenue", False),
            update_mode="expression",
            update_expression=expression,
        )
        self.attempt(
            ["expression"],
            lambda Rule: self.rule_with(Rule, action),
            user=self.developer,
        )

    @EXAMPLES
    @given(headers=header_json)
    def test_random_header_json(self, headers):
        action = {
            "action_type": "webhook",
            "webhook_url": "http://127.0.0.1:9/hook",
            "webhook_headers_new": headers,
        }
        self.attempt(["headers"], lambda Rule: self.rule_with(Rule, action))

    @EXAMPLES
    @given(url=urls)
    def test_random_urls(self, url):
        action = {"action_type": "webhook", "webhook_url": url}
        self.attempt(
            ["url", "host", "internal address"],
            lambda Rule: self.rule_with(Rule, action),
        )

    @EXAMPLES
    @given(delay=delays)
    def test_random_delays(self, delay):
        action = dict(self.set_priority("1"), timing="scheduled", **delay)
        self.attempt(
            ["delay", "time of day"], lambda Rule: self.rule_with(Rule, action)
        )

    @EXAMPLES
    @given(offset=offsets)
    def test_random_date_offsets(self, offset):
        self.attempt(
            ["offset", "date"],
            lambda Rule: self.rule_with(
                Rule,
                self.set_priority("1"),
                trigger="on_date",
                date_field_id=self.field("date_deadline").id,
                **offset,
            ),
        )


class _Refused(Exception):
    """Leaves the savepoint of one example (rolled back either way)."""
