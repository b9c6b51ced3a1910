# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The interactive path's matcher (issue 26): a small batch is matched in
memory on the cached records, and must answer exactly what Odoo's SQL search
answers, empty values included; what it cannot answer exactly stays SQL."""

import datetime
import itertools

from odoo.tests import tagged

from ..runtime.predicate import compile_domain, static_domain
from .common import WorkflowCase

# Terms on each kind of field the predicate compiles, with the values that
# make Odoo's SQL add or drop "OR field IS NULL".
TERMS = [
    ("expected_revenue", op, value)
    for op in ("=", "!=", "<", "<=", ">", ">=")
    for value in (0, 0.0, False, 5000, -1, 1e9)
    if not (value is False and op not in ("=", "!="))
] + [
    ("expected_revenue", "in", [0, 5000]),
    ("expected_revenue", "in", [False, 5000]),
    ("expected_revenue", "not in", [0]),
    ("expected_revenue", "not in", [False, 5000]),
    ("expected_revenue", "not in", []),
    ("probability", ">", 50),
    ("probability", "<=", 0),
    ("color", "=", 0),
    ("color", "!=", 3),
    ("color", "in", [False]),
    ("email_from", "=", False),
    ("email_from", "!=", False),
    ("email_from", "=", ""),
    ("email_from", "!=", ""),
    ("email_from", "=", "a@example.com"),
    ("email_from", "!=", "a@example.com"),
    ("email_from", "in", ["a@example.com", False]),
    ("email_from", "in", ["a@example.com"]),
    ("email_from", "not in", ["a@example.com"]),
    ("email_from", "not in", ["a@example.com", False]),
    ("email_from", "=?", False),
    ("priority", "=", "3"),
    ("priority", "!=", "3"),
    ("priority", "in", ["0", "3"]),
    ("priority", "not in", ["3"]),
    ("type", "=", False),
    ("user_id", "=", False),
    ("user_id", "!=", False),
    ("user_id", "=", "USER"),
    ("user_id", "!=", "USER"),
    ("user_id", "in", ["USER", False]),
    ("user_id", "in", ["USER"]),
    ("user_id", "not in", ["USER"]),
    ("user_id", "not in", ["USER", False]),
    ("user_id", "in", []),
    ("user_id", "not in", []),
    ("company_id", "in", (False, "COMPANY")),
    ("active", "=", True),
    ("active", "=", False),
    ("active", "!=", True),
    ("active", "in", [False]),
    ("active", "not in", [True]),
    ("date_deadline", "=", False),
    ("date_deadline", "!=", False),
    ("date_deadline", "<", "2030-01-01"),
    ("date_deadline", ">=", "2030-01-01"),
    ("date_deadline", "!=", "2030-01-01"),
    ("date_deadline", "in", ["2030-01-01", False]),
    ("date_closed", "<", "2030-01-01 10:00:00"),
    ("date_closed", "=", False),
]
# what only SQL answers exactly: these must not compile
NOT_COMPILED = [
    [("partner_id.name", "=", "x")],
    [("tag_ids", "in", [1])],
    [("name", "ilike", "x")],
    [("email_from", "<", "b")],
    [("user_id", "=", "Mitchell Admin")],
    [("user_id", "child_of", [1])],
    [("expected_revenue", ">", "5")],
    [("date_deadline", "<", "next week")],
    [("id", "=", 1)],
]


@tagged("post_install", "-at_install")
class TestMatcherInMemory(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"].with_context(active_test=False)
        values = [
            {},
            {"expected_revenue": 5000, "email_from": "a@example.com", "color": 3},
            {"expected_revenue": -3, "email_from": "", "priority": "3"},
            {
                "user_id": cls.salesman.id,
                "date_deadline": "2030-01-01",
                "active": False,
                "type": "opportunity",
            },
            {"date_deadline": "2029-06-30", "expected_revenue": 1e9, "priority": "0"},
        ]
        cls.leads = Lead.create(
            [dict(v, name=f"Matcher lead {i}") for i, v in enumerate(values)]
        )
        # a NULL where the ORM would write a default: as imports leave them
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE crm_lead SET expected_revenue = NULL, color = NULL, "
            "email_from = NULL, priority = NULL, user_id = NULL, "
            "company_id = NULL WHERE id = %s",
            [cls.leads[0].id],
        )
        cls.env.cr.execute(
            "UPDATE crm_lead SET date_closed = '2029-12-31 23:00:00' WHERE id = %s",
            [cls.leads[4].id],
        )
        cls.env.invalidate_all()

    def _resolve(self, term):
        names = {"USER": self.salesman.id, "COMPANY": self.env.company.id}

        def fix(value):
            if isinstance(value, list | tuple):
                return type(value)(fix(v) for v in value)
            return names.get(value, value) if isinstance(value, str) else value

        fname, op, value = term
        return (fname, op, fix(value))

    def _both(self, domain):
        """(ids the SQL search finds, ids the in-memory matcher finds)."""
        engine = self.env["crm.workflow.engine"]
        ids = list(self.leads.ids)
        sql = engine._search_ids("crm.lead", ids, domain)
        compiled = compile_domain(self.env["crm.lead"], domain)
        self.assertIsNotNone(compiled, f"{domain} should compile")
        memory = engine._in_memory("crm.lead", ids, [compiled])
        self.assertIsNotNone(memory, domain)
        return sql, memory[0]

    def test_every_term_answers_as_sql(self):
        for term in TERMS:
            domain = [self._resolve(term)]
            with self.subTest(domain=domain):
                sql, memory = self._both(domain)
                self.assertEqual(memory, sql, f"{domain}: memory {memory}, SQL {sql}")

    def test_combinations_answer_as_sql(self):
        terms = [self._resolve(t) for t in TERMS[::7]]
        for left, right in itertools.combinations(terms, 2):
            for domain in (
                [left, right],
                ["|", left, right],
                ["!", left],
                ["|", "!", left, right],
            ):
                with self.subTest(domain=domain):
                    sql, memory = self._both(domain)
                    self.assertEqual(memory, sql)

    def test_unsure_domains_stay_sql(self):
        for domain in NOT_COMPILED:
            with self.subTest(domain=domain):
                self.assertIsNone(compile_domain(self.env["crm.lead"], domain))

    def test_pending_edit_and_recomputation_are_seen(self):
        """The matcher reads what the user just wrote, not yet flushed, and
        computed fields recomputed, as the SQL search (which flushes) does."""
        lead = self.leads[1]
        lead.write({"expected_revenue": 7000, "probability": 80})
        domain = [("expected_revenue", "=", 7000), ("prorated_revenue", "=", 5600)]
        sql_then = None
        compiled = compile_domain(self.env["crm.lead"], domain)
        engine = self.env["crm.workflow.engine"]
        memory = engine._in_memory("crm.lead", lead.ids, [compiled])
        sql_then = engine._search_ids("crm.lead", lead.ids, domain)
        self.assertEqual(memory, [{lead.id}])
        self.assertEqual(sql_then, {lead.id})

    def test_large_batches_and_dynamic_domains(self):
        engine = self.env["crm.workflow.engine"]
        compiled = compile_domain(self.env["crm.lead"], [("color", "=", 0)])
        many = list(range(1, 200))
        self.assertIsNone(engine._in_memory("crm.lead", many, [compiled]))
        self.assertIsNone(static_domain("[('user_id', '=', uid)]"))
        self.assertEqual(
            static_domain("[('color', '=', 1), ('priority', '=', '3')]"),
            ("&", ("color", "=", 1), ("priority", "=", "3")),
        )

    def test_rule_on_one_lead_runs_as_on_a_batch(self):
        """The same rule, a lead at a time and in one batch: the same leads."""
        rule = self.make_rule(
            "Big or flagged",
            trigger="on_write",
            trigger_field_ids=["priority"],
            domain="['|', ('expected_revenue', '>', 4000), ('email_from', '=', False)]",
            actions=[self.set_priority("3")],
        )
        leads = self.leads.filtered("active")
        for lead in leads:
            lead.write({"priority": "1"})
        one_by_one = set(self.runs(rule).mapped("res_id"))
        self.runs(rule).unlink()
        leads.write({"priority": "2"})
        batch = set(self.runs(rule).mapped("res_id"))
        expected = set(
            leads.filtered_domain(
                ["|", ("expected_revenue", ">", 4000), ("email_from", "=", False)]
            ).ids
        )
        self.assertTrue(expected)
        self.assertEqual(one_by_one, batch)
        self.assertEqual(batch, expected)

    def test_deleted_record_matches_nothing(self):
        lead = self.leads[2]
        lead_id = lead.id
        lead.unlink()
        compiled = compile_domain(self.env["crm.lead"], [("color", "=", 0)])
        engine = self.env["crm.workflow.engine"]
        self.assertEqual(engine._in_memory("crm.lead", [lead_id], [compiled]), [set()])

    def test_dates_parse_as_sql(self):
        compiled = compile_domain(
            self.env["crm.lead"], [("date_deadline", "=", datetime.date(2030, 1, 1))]
        )
        engine = self.env["crm.workflow.engine"]
        self.assertEqual(
            engine._in_memory("crm.lead", self.leads.ids, [compiled]),
            [{self.leads[3].id}],
        )


@tagged("post_install", "-at_install")
class TestInteractivePathPromises(WorkflowCase):
    """What the interactive path changed keeps its promises: the rule index
    follows condition edits, moment-dependent criteria are evaluated at each
    event, and a one-record run is logged as a batch run is."""

    def _lead(self, **values):
        return self.env["crm.lead"].create(dict({"name": "Promise lead"}, **values))

    def test_condition_edits_reach_the_index(self):
        rule = self.make_rule(
            "Edited criteria",
            trigger="on_write",
            trigger_field_ids=["priority"],
            domain="[('expected_revenue', '>', 1000)]",
            actions=[self.field_update("description", "'matched'")],
        )
        lead = self._lead(expected_revenue=500)
        lead.write({"priority": "1"})
        self.assertFalse(self.runs(rule, lead))
        rule.condition_ids.write({"domain": "[('expected_revenue', '>', 100)]"})
        lead.write({"priority": "2"})
        self.assertEqual(len(self.runs(rule, lead)), 1)
        # a second condition, then none left: the index follows each change
        self.env["crm.workflow.condition"].create(
            {
                "rule_id": rule.id,
                "sequence": 0,
                "domain": "[('expected_revenue', '>', 10000)]",
            }
        )
        rule.condition_ids.filtered(lambda c: c.sequence == 0).unlink()
        rule.condition_ids.unlink()
        lead.write({"priority": "3"})
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_criteria_of_the_moment_are_evaluated_at_each_event(self):
        rule = self.make_rule(
            "Mine only",
            trigger="on_write",
            trigger_field_ids=["priority"],
            domain="[('user_id', '=', uid)]",
            actions=[self.field_update("description", "'mine'")],
        )
        theirs = self._lead(user_id=self.salesman.id)
        mine = self._lead(user_id=self.env.uid)
        (theirs | mine).write({"priority": "2"})
        self.assertEqual(self.runs(rule).mapped("res_id"), mine.ids)
        theirs.with_user(self.salesman).write({"priority": "3"})
        self.assertEqual(
            sorted(self.runs(rule).mapped("res_id")), sorted((theirs | mine).ids)
        )

    def test_one_record_is_logged_as_a_batch_is(self):
        rule = self.make_rule(
            "Logged alike",
            trigger="on_write",
            trigger_field_ids=["priority"],
            actions=[self.field_update("description", "'logged'")],
        )
        one = self._lead()
        batch = self.env["crm.lead"].create(
            [{"name": f"Batch lead {i}"} for i in range(60)]
        )
        one.write({"priority": "2"})
        batch.write({"priority": "2"})
        fields_ = ["state", "trigger", "outcome", "changed_fields", "condition_id"]
        single = self.runs(rule, one).read(fields_)[0]
        many = self.runs(rule, batch)
        self.assertEqual(len(many), 60)
        for run in many.read(fields_):
            for fname in fields_:
                self.assertEqual(run[fname], single[fname], fname)
        daily = (
            self.env["crm.workflow.run.daily"]
            .sudo()
            .search([("rule_id", "=", rule.id), ("action_type", "=", False)])
        )
        self.assertEqual(sum(daily.mapped("run_count")), 61)
        self.assertEqual(sum(daily.mapped("record_count")), 61)
