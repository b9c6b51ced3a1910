# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_workflow_version_part_mixin import CREATING

# the context key of a restore: the version that the new one gives back
RESTORED = "crm_workflow_version_restored_from"


class CrmWorkflowVersionedMixin(models.AbstractModel):
    """A rule, robot, stage trigger or function keeps its versions: each save
    that changes its settings or its parts (``_version_parts()``) adds one
    ``crm.workflow.version`` with a snapshot as data. The history grows with
    edits, never with runs: the engine's own writes (counters, a pause) touch
    no versioned field, and a save that changes nothing adds nothing."""

    _name = "crm.workflow.versioned.mixin"
    _inherit = ["crm.workflow.version.part.mixin"]
    _description = "Workflow record with versions"

    version_count = fields.Integer(compute="_compute_version_count", string="Versions")

    def _compute_version_count(self):
        counts = {}
        if self.ids:
            counts = dict(
                self.env["crm.workflow.version"]
                .sudo()
                ._read_group(
                    [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                    ["res_id"],
                    ["__count"],
                )
            )
        for record in self:
            record.version_count = counts.get(record.id, 0)

    @api.model
    def _version_ignored_fields(self):
        # the place in a list (drag and drop on a list or the board renumbers
        # every record at once): not a setting of the record itself
        return super()._version_ignored_fields() | {"sequence"}

    @api.model
    def _version_not_restored(self):
        """Fields kept in the history that a restore leaves as they are: the
        switch that turns the record on or off is the user's own."""
        return {"active"}

    def _version_owners(self):
        return [self]

    def _version_owners_at_unlink(self):
        return []

    def _version_target_model(self):
        """The record type the record's criteria read (crm.lead by default)."""
        return "crm.lead"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        with self._version_scope([]) as state:
            records = super(
                CrmWorkflowVersionedMixin, self.with_context(**{CREATING: True})
            ).create(vals_list)
            records = records.with_env(self.env)
            for record in records:
                state["owners"].setdefault((record._name, record.id), None)
        return records

    def unlink(self):
        versions = self._versions()
        res = super().unlink()
        versions.unlink()
        return res

    # ------------------------------------------------------------------
    # versions
    # ------------------------------------------------------------------

    def _versions(self):
        return (
            self.env["crm.workflow.version"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )

    def _version_snapshot(self):
        """The record as data, read in English (a translated name read in
        another language is no edit) and as superuser (every setting)."""
        self.ensure_one()
        record = self.sudo().with_context(lang="en_US", active_test=False)
        node = record._version_node()
        node["model"] = self._name
        node["record_model"] = record._version_target_model()
        return node

    def _version_baseline(self):
        """A record that has no history yet (it predates it) gets its state
        before the change as its first version."""
        if not self:
            return
        Version = self.env["crm.workflow.version"].sudo()
        known = {
            res_id
            for [res_id] in Version._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
            )
        }
        for record in self:
            if record.id in known:
                continue
            Version.create(
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    "number": 1,
                    "kind": "baseline",
                    "user_id": record.write_uid.id,
                    "date": record.write_date or fields.Datetime.now(),
                    "snapshot": record._version_snapshot(),
                }
            )

    def _version_before_change(self):
        """Hook: the records are about to change (their baseline exists)."""

    def _version_after_change(self):
        """Hook: the records were saved with a new version each."""

    def _version_record(self):
        """A new version of each record whose snapshot differs from its last
        version's. Returns the records that got one."""
        if not self:
            return self
        # two transactions saving parts of one rule would both number their
        # version N + 1: the second waits, then retries as a conflict
        self.env.cr.execute(
            f'SELECT id FROM "{self._table}" WHERE id IN %s FOR NO KEY UPDATE',
            [tuple(self.ids)],
        )
        Version = self.env["crm.workflow.version"].sudo()
        restored = self.env.context.get(RESTORED)
        changed = self.browse()
        for record in self:
            snapshot = record._version_snapshot()
            last = Version.search(
                [("res_model", "=", record._name), ("res_id", "=", record.id)],
                order="number desc",
                limit=1,
            )
            if last and self._version_comparable(
                last.snapshot
            ) == self._version_comparable(snapshot):
                continue
            kind = "restore" if restored else ("edit" if last else "create")
            Version.create(
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    "number": last.number + 1,
                    "kind": kind,
                    "restored_from_id": restored or False,
                    "user_id": self.env.uid,
                    "snapshot": snapshot,
                }
            )
            changed |= record
        return changed

    def _version_restore(self, version):
        """Write ``version``'s snapshot back (settings; parts updated,
        recreated or deleted): the save is itself a new version. Refused,
        with nothing changed, when the snapshot references something that
        no longer exists."""
        self.ensure_one()
        _ = self.env._
        snapshot = version.sudo().snapshot
        problems = self._version_missing(snapshot)
        if problems:
            raise UserError(
                _(
                    "Version %(number)s of “%(name)s” cannot be restored: it uses "
                    "what no longer exists.\n%(problems)s",
                    number=version.number,
                    name=self.display_name,
                    problems="\n".join(problems),
                )
            )
        record = self.with_context(lang="en_US", active_test=False)
        vals = record._version_restore_vals(
            snapshot, self._version_snapshot(), skip=self._version_not_restored()
        )
        if not vals:
            raise UserError(
                _(
                    "“%(name)s” is already as in version %(number)s.",
                    name=self.display_name,
                    number=version.number,
                )
            )
        record.with_context(**{RESTORED: version.id}).write(vals)
        return True

    def action_view_versions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_workflow_automation.crm_workflow_version_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        action["name"] = action["display_name"] = self.env._(
            "History of “%(name)s”", name=self.display_name
        )
        return action
