# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""With German, French and Japanese installed, the screens speak them: the
menus, the rule form's labels and selections, the board's column headers
and buttons, the criteria in words and a validation error."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import WorkflowCase

LANGS = ("de_DE", "fr_FR", "ja_JP")
# msgid -> (de, fr, ja), as the glossary has them
EXPECTED = {
    "Workflow Rules": ("Workflow-Regeln", "Règles de workflow", "ワークフロールール"),
    "Scheduled Jobs": ("Geplante Jobs", "Traitements planifiés", "予約ジョブ"),
    "Execution Log": ("Ausführungsprotokoll", "Journal d'exécution", "実行ログ"),
    "Record type": ("Datensatztyp", "Type d'enregistrement", "レコードの種類"),
    "Trigger": ("Auslöser", "Déclencheur", "実行タイミング"),
    "Record created": ("Datensatz erstellt", "Enregistrement créé", "レコードの作成時"),
    "Conditions and actions": (
        "Bedingungen und Aktionen",
        "Conditions et actions",
        "条件と処理",
    ),
    "Automation rules": (
        "Automatisierungsregeln",
        "Règles d'automatisation",
        "自動化ルール",
    ),
    "+ Automation rule": (
        "+ Automatisierungsregel",
        "+ Règle d'automatisation",
        "+ 自動化ルール",
    ),
    # Odoo's crm: the first stage, a column of the board
    "New": ("Neu", "Nouveau", "新規"),
}


def expected(msgid, lang):
    return EXPECTED[msgid][LANGS.index(lang)]


@tagged("post_install", "-at_install")
class TestTranslations(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["crm", "crm_workflow_automation"], list(LANGS), overwrite=True
        )

    def test_menus_are_translated(self):
        for xmlid, msgid in (
            ("crm_workflow_rule_menu", "Workflow Rules"),
            ("crm_workflow_job_menu", "Scheduled Jobs"),
            ("crm_workflow_run_menu", "Execution Log"),
        ):
            menu = self.env.ref(f"crm_workflow_automation.{xmlid}")
            for lang in LANGS:
                with self.subTest(menu=msgid, lang=lang):
                    self.assertEqual(
                        menu.with_context(lang=lang).name, expected(msgid, lang)
                    )

    def test_rule_form_labels_and_selections_are_translated(self):
        for lang in LANGS:
            Rule = self.Rule.with_context(lang=lang)
            fields = Rule.fields_get(["model_id", "trigger"])
            self.assertEqual(
                fields["model_id"]["string"], expected("Record type", lang)
            )
            self.assertEqual(fields["trigger"]["string"], expected("Trigger", lang))
            self.assertIn(
                ("on_create", expected("Record created", lang)),
                fields["trigger"]["selection"],
            )
            arch = Rule.get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertIn(expected("Conditions and actions", lang), arch)
            self.assertNotIn('string="Conditions and actions"', arch)

    def test_board_headers_and_buttons_are_translated(self):
        stage = self.env.ref("crm.stage_lead1")
        for lang in LANGS:
            with self.subTest(lang=lang):
                board = (
                    self.env["crm.workflow.robot"].with_context(lang=lang).get_board()
                )
                names = [
                    c["name"] for c in board["columns"] if c["stage_id"] == stage.id
                ]
                self.assertEqual(names, [expected("New", lang)])
                web = self.env["ir.http"].get_translations_for_webclient(
                    ["crm_workflow_automation"], lang
                )[0]["crm_workflow_automation"]["messages"]
                strings = {m["id"]: m["string"] for m in web}
                for msgid in ("Automation rules", "+ Automation rule"):
                    self.assertEqual(strings.get(msgid), expected(msgid, lang))

    def test_criteria_in_words_are_translated(self):
        rule = self.make_rule(
            domain="[('expected_revenue', '>', 50000), ('probability', '>', 70)]"
        )
        texts = {
            lang: rule.condition_ids.with_context(lang=lang).domain_text
            for lang in LANGS
        }
        self.assertEqual(
            texts,
            {
                "de_DE": "Erwarteter Umsatz > 50000 und Wahrscheinlichkeit > 70",
                "fr_FR": "Revenu attendu > 50000 et Probabilité > 70",
                "ja_JP": "見込収益 > 50000 かつ 確度 > 70",
            },
        )

    def test_a_validation_error_is_translated(self):
        messages = {
            "de_DE": "Regel „Falsch“: Die Kriterien der Bedingung",
            "fr_FR": "Règle « Falsch » : les critères de la condition",
            "ja_JP": "ルール「Falsch」: 条件",
        }
        for lang, message in messages.items():
            with self.subTest(lang=lang):
                Rule = self.Rule.with_context(lang=lang)
                with self.assertRaises(ValidationError) as caught:
                    Rule.create(
                        {
                            "name": "Falsch",
                            "condition_ids": [
                                Command.create(
                                    {"domain": "[('no_such_field', '=', 1)]"}
                                )
                            ],
                        }
                    )
                self.assertIn(message, str(caught.exception))
