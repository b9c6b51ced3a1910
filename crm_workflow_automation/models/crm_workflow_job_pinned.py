# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Jobs pinned to a version: a rule's scheduled action and a robot's job keep
the version of their rule or robot that queued them. When that version is no
longer the current one (the record was saved since, keeping its jobs as
scheduled), the job runs the action and the criteria of its version's
snapshot, built in memory (``new()``): what the old version would have done.
A job with no version (queued before the upgrade that added pinning, or by
a kind of job that is not pinned) runs the live record, as before."""

from odoo import fields, models

# the kinds of jobs pinned, and the field naming their owner
PINNED = {"action": "rule_id", "robot": "robot_id"}
OWNER_MODELS = {"rule_id": "crm.workflow.rule", "robot_id": "crm.workflow.robot"}


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    version_id = fields.Many2one(
        "crm.workflow.version",
        string="Version",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        help="The version of the rule or automation rule that queued the job: "
        "it runs as that version said, unless a later change was applied to it.",
    )
    action_ref = fields.Integer(
        string="Action ID",
        readonly=True,
        help="The action's id, kept when the action is deleted: a job pinned "
        "to a version still finds the action in it.",
    )

    # ------------------------------------------------------------------
    # enqueue
    # ------------------------------------------------------------------

    def _pin_to_versions(self, values_list):
        """Each new job of a rule or robot gets its owner's last version: one
        query per batch, whatever the number of records."""
        wanted = {}
        for vals in values_list:
            field = PINNED.get(vals.get("job_type", "action"))
            if field and vals.get(field) and "version_id" not in vals:
                wanted.setdefault(OWNER_MODELS[field], set()).add(vals[field])
            if vals.get("action_id") and "action_ref" not in vals:
                vals["action_ref"] = vals["action_id"]
        if not wanted:
            return
        self.env["crm.workflow.version"].flush_model()
        last = {}
        for model, ids in wanted.items():
            self.env.cr.execute(
                """SELECT DISTINCT ON (res_id) res_id, id FROM crm_workflow_version
                    WHERE res_model = %s AND res_id = ANY(%s)
                    ORDER BY res_id, number DESC""",
                [model, list(ids)],
            )
            last[model] = dict(self.env.cr.fetchall())
        for vals in values_list:
            field = PINNED.get(vals.get("job_type", "action"))
            if field and vals.get(field) and "version_id" not in vals:
                vals["version_id"] = last[OWNER_MODELS[field]].get(vals[field])

    # ------------------------------------------------------------------
    # run
    # ------------------------------------------------------------------

    def _group_key_pinned(self):
        """What separates jobs of one action that must not run together."""
        return (self.version_id.id, self.action_ref)

    def _pinned_version(self):
        """The version the jobs (of one group) run, when it is not their
        owner's current one; else an empty recordset (run the live record)."""
        version = self[:1].version_id.sudo()
        if not version:
            return version
        last = version.search(
            [("res_model", "=", version.res_model), ("res_id", "=", version.res_id)],
            order="number desc",
            limit=1,
        )
        return version if version != last else version.browse()

    def _snapshot_action(self, node, live, condition=None):
        """The action as ``node`` (a snapshot's) says, in memory, on top of
        the live one (its record type, its condition) when it still exists,
        else under ``condition`` (the snapshot's, in memory)."""
        Action = self.env["crm.workflow.action"]
        vals = Action._version_restore_vals(node)
        if not live:
            rule = self[:1].rule_id
            vals.update(
                model_id=rule.model_id.id or self.env["ir.model"]._get_id("crm.lead"),
                condition_id=condition,
            )
        return Action.new(vals, origin=live or None)

    def _snapshot_conditions(self, rule_node):
        """{condition id: condition in memory} of a rule's snapshot."""
        Condition = self.env["crm.workflow.condition"]
        parts = set(Condition._version_parts())
        conditions = {}
        for node in rule_node.get("parts", {}).get("condition_ids", []):
            vals = {
                k: v
                for k, v in Condition._version_restore_vals(node).items()
                if k not in parts
            }
            vals["rule_id"] = self[:1].rule_id.id
            live = Condition.browse(node["id"]).exists()
            conditions[node["id"]] = Condition.new(vals, origin=live or None)
        return conditions

    def _pinned_rule_action(self, version):
        """(action, condition, other conditions) of the jobs' action as their
        version said, or None when the version has no such action."""
        snapshot = version.snapshot or {}
        action_id = self[:1].action_id.id or self[:1].action_ref
        for cnode in snapshot.get("parts", {}).get("condition_ids", []):
            for anode in cnode.get("parts", {}).get("action_ids", []):
                if anode["id"] != action_id:
                    continue
                conditions = self._snapshot_conditions(snapshot)
                condition = conditions[cnode["id"]]
                others = self.env["crm.workflow.condition"].concat(
                    *(c for cid, c in conditions.items() if cid != cnode["id"])
                )
                action = self._snapshot_action(anode, self[:1].action_id, condition)
                return action, condition, others
        return None

    def _pinned_robot(self, version, robot):
        """(action, robot) as the jobs' version of ``robot`` said, in memory."""
        Action = self.env["crm.workflow.action"]
        node = version.snapshot or {}
        action_fields = set(Action._version_field_names())
        action_parts = set(Action._version_parts())
        action_node = {
            "fields": {
                k: v for k, v in node.get("fields", {}).items() if k in action_fields
            },
            "parts": {
                k: v for k, v in node.get("parts", {}).items() if k in action_parts
            },
        }
        robot_vals = {
            k: v
            for k, v in robot._version_restore_vals(node).items()
            if k in robot._fields
            and not robot._fields[k].inherited
            and k not in action_parts
        }
        action = self._snapshot_action(action_node, robot.action_id)
        return action, robot.new(robot_vals, origin=robot)
