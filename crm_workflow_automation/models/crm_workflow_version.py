# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_workflow_version_part_mixin import html_list

SUMMARY_SIZE = 250


class CrmWorkflowVersion(models.Model):
    """One saved state of a rule, robot, stage trigger or function
    (``crm.workflow.versioned.mixin``): its settings and its parts as data,
    who saved it and when. What changed is computed from the version
    before, in the reader's language."""

    _name = "crm.workflow.version"
    _description = "Workflow Version"
    _order = "res_model, res_id, number desc"
    _rec_name = "number"

    res_model = fields.Char(string="Record model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", required=True, readonly=True
    )
    owner_name = fields.Char(string="Of", compute="_compute_owner_name")
    number = fields.Integer(string="Version", required=True, readonly=True)
    kind = fields.Selection(
        [
            ("baseline", "Before the history"),
            ("create", "Created"),
            ("edit", "Edited"),
            ("restore", "Restored"),
        ],
        string="Saved as",
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Saved by", readonly=True, ondelete="set null"
    )
    date = fields.Datetime(
        string="Saved on", required=True, readonly=True, default=fields.Datetime.now
    )
    restored_from_id = fields.Many2one(
        "crm.workflow.version",
        string="Restored from",
        readonly=True,
        ondelete="set null",
    )
    snapshot = fields.Json(
        readonly=True, groups="crm_workflow_automation.group_workflow_developer"
    )
    summary = fields.Char(string="What changed", compute="_compute_changes")
    diff_html = fields.Html(
        string="Changes", compute="_compute_changes", sanitize=False
    )
    snapshot_html = fields.Html(
        string="Settings", compute="_compute_snapshot_html", sanitize=False
    )
    is_last = fields.Boolean(string="Current version", compute="_compute_is_last")

    # its index is the history of one record, in order
    _sql_constraints = [
        (
            "number_unique",
            "unique(res_model, res_id, number)",
            "A record has one version of each number.",
        )
    ]

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------

    def _owner(self):
        self.ensure_one()
        if self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists()

    def _compute_owner_name(self):
        for version in self:
            owner = version._owner()
            version.owner_name = (
                owner.sudo().display_name
                if owner
                else version.sudo().snapshot.get("title")
            )

    def _previous(self):
        """{version: the version before it} (the same record's)."""
        previous = {}
        for version in self:
            previous[version] = self.sudo().search(
                [
                    ("res_model", "=", version.res_model),
                    ("res_id", "=", version.res_id),
                    ("number", "<", version.number),
                ],
                order="number desc",
                limit=1,
            )
        return previous

    def _compute_is_last(self):
        for version in self:
            version.is_last = not self.sudo().search_count(
                [
                    ("res_model", "=", version.res_model),
                    ("res_id", "=", version.res_id),
                    ("number", ">", version.number),
                ],
                limit=1,
            )

    def _compute_changes(self):
        _ = self.env._
        previous = self._previous()
        for version in self:
            lines = version._diff_lines(previous[version])
            intro = version._intro()
            if version.kind in ("baseline", "create") and not lines:
                version.summary = intro
                version.diff_html = html_list([intro])
                continue
            text = "; ".join(lines) or _("No change")
            if intro:
                text = _("%(intro)s: %(changes)s", intro=intro, changes=text)
            if len(text) > SUMMARY_SIZE:
                text = text[: SUMMARY_SIZE - 1] + "…"
            version.summary = text
            version.diff_html = html_list(([intro] if intro else []) + lines) or (
                html_list([_("No change")])
            )

    def _intro(self):
        _ = self.env._
        if self.kind == "baseline":
            return _("As it was before its history was kept")
        if self.kind == "create":
            return _("Created")
        if self.kind == "restore":
            return _(
                "Restored version %(number)s", number=self.restored_from_id.number or ""
            )
        return ""

    def _diff_lines(self, other):
        """What changed from ``other`` (an older version of the same record,
        or none) to this version, one sentence per change."""
        self.ensure_one()
        if not other or self.res_model not in self.env:
            return []
        Owner = self.env[self.res_model]
        new, old = self.sudo().snapshot, other.sudo().snapshot
        return Owner._version_diff_lines(old, new, new.get("record_model"))

    def _compute_snapshot_html(self):
        for version in self:
            snapshot = version.sudo().snapshot
            if version.res_model not in self.env or not snapshot:
                version.snapshot_html = False
                continue
            Owner = self.env[version.res_model]
            version.snapshot_html = Owner._version_describe(
                snapshot, snapshot.get("record_model")
            )

    @api.depends("number", "res_model", "res_id")
    def _compute_display_name(self):
        for version in self:
            version.display_name = self.env._(
                "Version %(number)s", number=version.number
            )

    # ------------------------------------------------------------------
    # buttons
    # ------------------------------------------------------------------

    def action_restore(self):
        """Make the record as it was in this version (a new version)."""
        self.ensure_one()
        owner = self._owner()
        if not owner:
            raise UserError(self.env._("The record of this version no longer exists."))
        owner._version_restore(self)
        return owner.action_view_versions()

    def action_compare(self):
        """Compare two selected versions of a record, or one with the version
        before it."""
        if (
            len(self) > 2
            or len(set(self.mapped(lambda v: (v.res_model, v.res_id)))) > 1
        ):
            raise UserError(
                self.env._("Select one or two versions of the same record to compare.")
            )
        versions = self.sorted("number")
        new = versions[-1]
        old = versions[0] if len(versions) == 2 else self._previous()[new]
        wizard = self.env["crm.workflow.version.compare"].create(
            {
                "res_model": new.res_model,
                "res_id": new.res_id,
                "old_version_id": old.id or False,
                "new_version_id": new.id,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Compare versions"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_record(self):
        self.ensure_one()
        owner = self._owner()
        if not owner:
            raise UserError(self.env._("The record of this version no longer exists."))
        return owner.get_formview_action()
