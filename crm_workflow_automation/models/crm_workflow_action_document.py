# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Action type "Create document" (Bitrix24's *Dokument erstellen*): a report
of the record, attached to it, and left in the run's data for the actions and
automation rules after it (the email action attaches it)."""

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import safe_eval
from odoo.tools.rendering_tools import parse_inline_template
from odoo.tools.safe_eval import time

# run.data[DOCUMENTS_KEY]: {str(record id): [attachment ids]}: JSON, as the
# data travels in the jobs of delayed automation rules
DOCUMENTS_KEY = "documents"


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("document", "Create Document")],
        ondelete={"document": "cascade"},
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Document template",
        ondelete="restrict",
        domain="[('model', '=', model_name), "
        "('report_type', 'in', ('qweb-pdf', 'qweb-html'))]",
        help="The report printed for the record, e.g. the Offer of an opportunity.",
    )
    document_name = fields.Char(
        string="File name",
        help="Name of the attached file; {{ object.name }} is replaced by the "
        "record's name. Empty: the report's own file name.",
    )
    document_pdf_missing = fields.Boolean(
        compute="_compute_document_pdf_missing",
        help="Technical: this server cannot make PDF files.",
    )

    @api.depends("action_type", "report_id")
    def _compute_document_pdf_missing(self):
        """wkhtmltopdf missing: the form says that the document is a web page
        until it is installed, when the user chooses the report."""
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        for action in self:
            action.document_pdf_missing = (
                action.action_type == "document"
                and action.report_id.report_type == "qweb-pdf"
                and state not in ("ok", "upgrade")
            )

    def _check_document(self):
        if not self.report_id:
            self._raise_config(self.env._("choose the document template."))
        if self.report_id.model != self.model_name:
            self._raise_config(
                self.env._(
                    "the document template “%(report)s” is made for another kind "
                    "of record.",
                    report=self.report_id.name,
                )
            )
        if self.report_id.report_type not in ("qweb-pdf", "qweb-html"):
            self._raise_config(
                self.env._(
                    "the document template “%(report)s” does not make a PDF or "
                    "web page.",
                    report=self.report_id.name,
                )
            )
        for __, expression, __ in parse_inline_template(self.document_name or ""):
            if not expression:
                continue  # the text after the last placeholder
            problem = safe_eval.test_python_expr(expression.strip(), mode="eval")
            if problem or not expression.strip():
                self._raise_config(
                    self.env._(
                        "the placeholder {{ %(expression)s }} of the file name "
                        "is not a valid expression.",
                        expression=expression.strip(),
                    )
                )

    def _document_format(self):
        """'pdf', or 'html' for a web-page report and when this server has
        no wkhtmltopdf (the document is still made: a web page)."""
        if self.report_id.report_type != "qweb-pdf":
            return "html"
        if not self.env.registry.ready:
            # modules are loading (demo data): no server answers wkhtmltopdf's
            # requests for the page's styles, or one busy with this very
            # install, and wkhtmltopdf would wait for it with no time limit
            return "html"
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        return "pdf" if state in ("ok", "upgrade") else "html"

    def _document_names(self, records, extension):
        """{record id: file name}, from the action's template, else from the
        report's, else "<report> - <record>"."""
        report = self.report_id
        if self.document_name:
            names = (
                self.env["mail.render.mixin"]
                .sudo()
                ._render_template(
                    self.document_name, records._name, records.ids, "inline_template"
                )
            )
        else:
            names = {}
            for record in records:
                name = ""
                if report.print_report_name:
                    name = safe_eval.safe_eval(
                        report.print_report_name, {"object": record, "time": time}
                    )
                names[record.id] = name or f"{report.name} - {record.display_name}"
        suffix = f".{extension}"
        return {
            rid: (name or report.name).strip()
            + ("" if (name or "").lower().endswith(suffix) else suffix)
            for rid, name in names.items()
        }

    def _run_document(self, records, run):
        """One attachment per record, with a note in its chatter; a report
        that fails raises, so the engine logs the failure and keeps the
        user's edit."""
        extension = self._document_format()
        Report = records.env["ir.actions.report"]
        names = self._document_names(records, extension)
        documents = run.data.setdefault(DOCUMENTS_KEY, {}) if run is not None else {}
        for record in records:
            if extension == "pdf":
                content, kind = Report._render_qweb_pdf(self.report_id.id, record.ids)
            else:
                content, kind = Report._render_qweb_html(self.report_id.id, record.ids)
            name = names[record.id]
            if kind != extension:  # Odoo's test mode renders PDF as HTML
                name = f"{name.rsplit('.', 1)[0]}.{kind}"
            Attachment = records.env["ir.attachment"]
            if kind != "pdf":
                # Odoo stores HTML made by a user without the right to edit
                # views as text/plain (against uploaded scripts); this page is
                # the report's, its values escaped by QWeb
                Attachment = Attachment.with_user(SUPERUSER_ID)
            attachment = Attachment.create(
                {
                    "name": name,
                    "raw": content,
                    "res_model": record._name,
                    "res_id": record.id,
                    "mimetype": "application/pdf" if kind == "pdf" else "text/html",
                }
            )
            documents.setdefault(str(record.id), []).append(attachment.id)
            if hasattr(record, "message_post"):
                record.message_post(
                    body=self.env._("Document created: %(name)s", name=name),
                    attachment_ids=attachment.ids,
                    subtype_xmlid="mail.mt_note",
                )

    def _test_document(self, records, run):
        """The file that would be attached; nothing is rendered."""
        names = self._document_names(records, self._document_format())
        return "\n".join(
            self.env._(
                "Would attach “%(name)s” (%(report)s) to %(record)s",
                name=names[record.id],
                report=self.report_id.name,
                record=record.display_name,
            )
            for record in records
        )

    def _effects_in_database_document(self):
        """An attachment and a note: a rollback undoes both (the file left in
        the filestore is collected by Odoo's garbage collection)."""
        return True

    @api.model
    def _run_documents(self, run, record_id):
        """Attachment ids that earlier actions of ``run`` created for the
        record (for the email action's option)."""
        if run is None:
            return []
        return list((run.data.get(DOCUMENTS_KEY) or {}).get(str(record_id)) or [])
