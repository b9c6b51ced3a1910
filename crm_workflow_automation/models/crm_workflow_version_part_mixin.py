# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a versioned record and each of its parts share: its snapshot as data,
the diff of two snapshots in words, the values a restore writes back, and
the hooks that version the owner when a part is saved through the ORM."""

import contextlib
import json

from markupsafe import Markup

from odoo import Command, api, fields, models, tools

from ..runtime.predicate import static_domain

# the cursor's cache entry of the versioning scope (see _version_scope)
SCOPE = "crm_workflow_version_scope"
# the children of a record being created: their owner versions itself after
CREATING = "crm_workflow_version_creating"
# a text longer than this, or on several lines, is "changed", not shown
SHORT_TEXT = 80
EMPTY = "—"


class CrmWorkflowVersionPartMixin(models.AbstractModel):
    """A part of a versioned record: a rule's condition, an action, an
    argument. Its creation, edit or deletion through the ORM (the form or the
    API) versions its owner (``_version_owners``) once, however deeply nested
    the write. A model says which field links it to its parent in
    ``_version_parent_field``, and which one2many fields hold its own parts in
    ``_version_parts()``."""

    _name = "crm.workflow.version.part.mixin"
    _description = "Part of a versioned workflow record"
    _version_parent_field = None

    # ------------------------------------------------------------------
    # what is versioned (extension points)
    # ------------------------------------------------------------------

    @api.model
    def _version_parts(self):
        """The one2many fields whose records are parts of this one (a rule's
        conditions, a condition's actions); extended with ``super()``."""
        return ()

    @api.model
    def _version_ignored_fields(self):
        """Stored, editable fields that are not settings (extended with
        ``super()``). Read-only fields (counters, a pause) and fields not
        copied with the record (secrets, a rotation's position) never are."""
        return {self._version_parent_field} - {None}

    @api.model
    def _version_kept_fields(self):
        """Fields not copied with the record that are settings all the same
        (a function's API name)."""
        return set()

    @api.model
    def _version_domain_fields(self):
        """Fields holding criteria, shown in words in a diff."""
        return set()

    @api.model
    def _version_kind(self):
        """What one record of the model is called in a diff ("Condition")."""
        return self._description

    @api.model
    @tools.ormcache()
    def _version_field_names(self):
        """The names of the fields a snapshot keeps, in the model's order: a
        stored, editable field that is copied with the record. A field of a
        delegated model (a robot's action) counts as the field it stands
        for."""
        ignored = self._version_ignored_fields() | set(self._inherits.values())
        kept = self._version_kept_fields()
        thread = self.env.registry.get("mail.thread")
        if thread is not None and isinstance(self, thread):
            ignored |= set(self.env["mail.thread"]._fields)
        names = []
        for name, field in self._fields.items():
            base = field.inherited_field or field if field.inherited else field
            while base.inherited:
                base = base.inherited_field
            if (
                name in ignored
                or name in models.MAGIC_COLUMNS
                or not base.store
                or base.type in ("one2many", "binary")
                or base.related
                or (base.compute and base.readonly)
                or base.readonly
                or (not base.copy and name not in kept)
            ):
                continue
            names.append(name)
        return tuple(names)

    @api.model
    def _version_relevant(self, vals):
        """Whether writing ``vals`` may change a snapshot."""
        return bool(
            set(vals) & (set(self._version_field_names()) | set(self._version_parts()))
        )

    # ------------------------------------------------------------------
    # snapshot
    # ------------------------------------------------------------------

    def _version_node(self):
        """The record as data: ``fields`` (ids for relations, keys for
        choices), ``names`` (what those ids and keys were called, so that a
        diff still reads after the target is deleted), ``title`` and the
        nodes of its parts."""
        self.ensure_one()
        values, names = {}, {}
        for name in self._version_field_names():
            field = self._fields[name]
            value = self[name]
            if field.type == "many2one":
                values[name] = value.id or False
                if value:
                    names[name] = value.display_name
            elif field.type == "many2many":
                records = value.sorted("id")
                values[name] = records.ids
                names[name] = records.mapped("display_name")
            elif field.type == "selection":
                values[name] = value or False
                if value:
                    labels = dict(field._description_selection(self.env))
                    names[name] = labels.get(value, value)
            elif field.type == "date":
                values[name] = fields.Date.to_string(value) if value else False
            elif field.type == "datetime":
                values[name] = fields.Datetime.to_string(value) if value else False
            elif field.type == "html":
                values[name] = str(value) if value else False
            elif field.type == "reference":
                values[name] = f"{value._name},{value.id}" if value else False
                if value:
                    names[name] = value.display_name
            else:
                values[name] = value
        node = {
            "id": self.id,
            "title": self.display_name,
            "fields": values,
            "names": names,
        }
        # in the order they run: a one2many in the cache keeps the order it
        # was read in, not the one a change of sequence gives
        parts = {
            name: [child._version_node() for child in self[name].sorted()]
            for name in self._version_parts()
        }
        if parts:
            node["parts"] = parts
        return node

    @api.model
    def _version_comparable(self, node, part=False):
        """The snapshot without what does not make a version: names (a renamed
        stage is not an edit of the rule) and a part's sequence number (only
        the order of the parts counts)."""
        values = dict(node["fields"])
        if part:
            values.pop("sequence", None)
        return (
            node["id"],
            # as JSON with sorted keys: the database (jsonb) keeps a dict's
            # keys in an order of its own
            json.dumps(values, sort_keys=True, default=str),
            tuple(
                (name, tuple(self._version_comparable(c, True) for c in children))
                for name, children in sorted(node.get("parts", {}).items())
            ),
        )

    # ------------------------------------------------------------------
    # the hooks: a save versions the owners once, at the outermost call
    # ------------------------------------------------------------------

    def _version_owners(self):
        """The versioned records (rules, robots, functions) this belongs to,
        as a list of recordsets (they may be of several models)."""
        parent = self._version_parent_field
        return self[parent]._version_owners() if parent and self else []

    @api.model
    def _version_owners_of_vals(self, vals):
        """The owners of a record about to be created with ``vals``."""
        parent = self._version_parent_field
        if not parent or not vals.get(parent):
            return []
        comodel = self.env[self._fields[parent].comodel_name]
        return comodel.browse(vals[parent])._version_owners()

    @contextlib.contextmanager
    def _version_scope(self, owners):
        """Version ``owners`` (and the owners the calls inside add) once, when
        the outermost scope of the transaction closes without an error. An
        owner without history gets its state before the change first."""
        state = self.env.cr.cache.setdefault(SCOPE, {"depth": 0, "owners": {}})
        outer = not state["depth"]
        for records in owners:
            records = records.exists()
            records._version_baseline()
            new = records.filtered(lambda o: (o._name, o.id) not in state["owners"])
            # before the change: what was scheduled keeps its version
            new._version_before_change()
            for owner in new:
                state["owners"][(owner._name, owner.id)] = None
        state["depth"] += 1
        try:
            yield state
        finally:
            state["depth"] -= 1
            pending = state["owners"]
            if outer:
                state["owners"] = {}
        if outer:
            for model, res_id in pending:
                owner = self.env[model].browse(res_id).exists()
                owner._version_record()._version_after_change()

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get(CREATING):
            # a part of an owner being created: it versions itself after
            return super().create(vals_list)
        owners = [o for vals in vals_list for o in self._version_owners_of_vals(vals)]
        with self._version_scope(owners):
            return super().create(vals_list)

    def write(self, vals):
        if not self._version_relevant(vals) or self.env.context.get(CREATING):
            return super().write(vals)
        with self._version_scope(self._version_owners()):
            return super().write(vals)

    def unlink(self):
        with self._version_scope(self._version_owners_at_unlink()):
            return super().unlink()

    def _version_owners_at_unlink(self):
        """The owners a deletion versions (an owner's own deletion: none)."""
        return self._version_owners()

    # ------------------------------------------------------------------
    # diff in words
    # ------------------------------------------------------------------

    @api.model
    def _version_diff_lines(self, old, new, record_model, prefix=""):
        """What changed from the node ``old`` to the node ``new`` of this
        model, one sentence per change."""
        _ = self.env._
        lines = []
        old_values, new_values = old["fields"], new["fields"]
        part = bool(prefix) or self._version_parent_field
        for name, value in new_values.items():
            if name not in old_values or old_values[name] == value:
                continue  # a field that did not exist yet is no change
            if part and name == "sequence":
                continue  # the order of the parts is told below
            label = self._version_label(name)
            before = self._version_words(name, old_values[name], old, record_model)
            after = self._version_words(name, value, new, record_model)
            if before is None or after is None:
                lines.append(prefix + _("%(field)s changed", field=label))
            else:
                lines.append(
                    prefix
                    + _(
                        "%(field)s: %(old)s → %(new)s",
                        field=label,
                        old=before,
                        new=after,
                    )
                )
        for pname in new.get("parts", {}).keys() | old.get("parts", {}).keys():
            if pname not in self._fields:
                continue
            Part = self.env[self._fields[pname].comodel_name]
            lines += Part._version_diff_parts(
                old.get("parts", {}).get(pname, []),
                new.get("parts", {}).get(pname, []),
                record_model,
                prefix,
            )
        return lines

    @api.model
    def _version_diff_parts(self, old_children, new_children, record_model, prefix):
        """Parts removed, added, changed and reordered, matched by id, then
        by title (a restore may give a part back under a new id)."""
        _ = self.env._
        kind = self._version_kind()
        matched = []  # (old, new)
        rest_old = list(old_children)
        unmatched_new = []
        for child in new_children:
            same = next((o for o in rest_old if o["id"] == child["id"]), None)
            if same is None:
                unmatched_new.append(child)
            else:
                rest_old.remove(same)
                matched.append((same, child))
        added = []
        for child in unmatched_new:
            same = next((o for o in rest_old if o["title"] == child["title"]), None)
            if same is None:
                added.append(child)
            else:
                rest_old.remove(same)
                matched.append((same, child))
        lines = []
        for child in rest_old:
            lines.append(
                prefix
                + _("%(kind)s “%(name)s” removed", kind=kind, name=child["title"])
            )
        for child in added:
            lines.append(
                prefix + _("%(kind)s “%(name)s” added", kind=kind, name=child["title"])
            )
        for before, after in sorted(matched, key=lambda m: new_children.index(m[1])):
            inner = prefix + _("%(kind)s “%(name)s”: ", kind=kind, name=after["title"])
            lines += self._version_diff_lines(before, after, record_model, inner)
        old_order = [
            o["title"] for o in old_children if any(o is m[0] for m in matched)
        ]
        by_new = sorted(matched, key=lambda m: new_children.index(m[1]))
        if [m[0]["title"] for m in by_new] != old_order:
            lines.append(
                prefix
                + _(
                    "%(kind)s order: %(old)s → %(new)s",
                    kind=kind,
                    old=", ".join(old_order),
                    new=", ".join(m[1]["title"] for m in by_new),
                )
            )
        return lines

    @api.model
    def _version_label(self, name):
        field = self._fields.get(name)
        return field._description_string(self.env) if field else name

    @api.model
    def _version_words(self, name, value, node, record_model):
        """A value of a snapshot as a person reads it, or None when it is not
        to be shown (a long text, a field the reader may not see)."""
        _ = self.env._
        field = self._fields.get(name)
        if field is None:
            return str(value)
        if field.groups and not self.env.user.has_groups(field.groups):
            return None
        if field.type == "boolean":
            return _("yes") if value else _("no")
        if field.type in ("integer", "float", "monetary"):
            return str(value or 0)
        if value in (False, None, "", []):
            return EMPTY
        names = node.get("names", {}).get(name)
        if field.type == "many2one":
            return self._version_record_words(field, [value], [names])
        if field.type == "many2many":
            return self._version_record_words(field, value, names or [])
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return str(labels.get(value) or names or value)
        if field.type == "reference":
            model, res_id = value.split(",")
            record = self.env[model].sudo().browse(int(res_id)).exists()
            if record:
                return record.display_name
            return self.env._("%(name)s (deleted)", name=names or value)
        if name in self._version_domain_fields():
            return self._version_domain_words(value, record_model)
        text = str(value)
        if field.type == "html" or len(text) > SHORT_TEXT or "\n" in text.strip():
            return None
        return f"“{text}”"

    @api.model
    def _version_record_words(self, field, ids, names):
        """Records named as they are called now, or as they were called when
        the snapshot was taken when they are gone."""
        records = self.env[field.comodel_name].sudo().browse(ids).exists()
        words = []
        for index, res_id in enumerate(ids):
            if res_id in records._ids:
                words.append(records.browse(res_id).display_name)
            else:
                name = (names[index] if index < len(names) else None) or f"#{res_id}"
                words.append(self.env._("%(name)s (deleted)", name=name))
        return ", ".join(words)

    @api.model
    def _version_domain_words(self, text, record_model):
        """Criteria in words ("Expected Revenue > 80000"), as the condition
        dialog says them; as written when they cannot be read."""
        domain = static_domain(text) if text else ()
        if domain is None or record_model not in self.env:
            return text
        if not domain:
            return self.env._("All records")
        try:
            return self.env["crm.workflow.condition"]._domain_words(
                self.env[record_model], list(domain)
            )
        except Exception:  # criteria that no longer fit are shown as written
            return text

    @api.model
    def _version_describe(self, node, record_model):
        """The node's settings in words: "Label: value" for each field that
        is required or has a value of its own (not empty, not its default),
        its parts below it."""
        items = []
        defaults = self.default_get([f for f in node["fields"] if f in self._fields])
        for name, value in node["fields"].items():
            field = self._fields.get(name)
            if field is None or name == "sequence":
                continue
            if not field.required and (
                value in (False, None, "", []) or value == defaults.get(name)
            ):
                continue
            words = self._version_words(name, value, node, record_model)
            label = self._version_label(name)
            items.append(
                Markup("<li>%s: %s</li>")
                % (label, words if words is not None else self.env._("(not shown)"))
            )
        for pname, children in node.get("parts", {}).items():
            if pname not in self._fields:
                continue
            Part = self.env[self._fields[pname].comodel_name]
            for child in children:
                title = self.env._(
                    "%(kind)s “%(name)s”",
                    kind=Part._version_kind(),
                    name=child["title"],
                )
                items.append(
                    Markup("<li><strong>%s</strong>%s</li>")
                    % (title, Part._version_describe(child, record_model))
                )
        return Markup("<ul>%s</ul>") % Markup("").join(items)

    # ------------------------------------------------------------------
    # restore
    # ------------------------------------------------------------------

    @api.model
    def _version_missing(self, node, prefix=""):
        """What the node references that no longer exists, in words: a
        restore would write it back."""
        _ = self.env._
        problems = []
        for name, value in node["fields"].items():
            field = self._fields.get(name)
            if field is None or name not in self._version_field_names() or not value:
                continue
            label = self._version_label(name)
            if field.type in ("many2one", "many2many"):
                ids = [value] if field.type == "many2one" else value
                names = node.get("names", {}).get(name)
                names = [names] if field.type == "many2one" else (names or [])
                found = self.env[field.comodel_name].sudo().browse(ids).exists()
                for index, res_id in enumerate(ids):
                    if res_id not in found._ids:
                        problems.append(
                            prefix
                            + _(
                                "%(field)s: “%(name)s” no longer exists.",
                                field=label,
                                name=names[index] if index < len(names) else res_id,
                            )
                        )
            elif field.type == "reference" and not self._version_reference_exists(
                value
            ):
                problems.append(
                    prefix
                    + _(
                        "%(field)s: “%(name)s” no longer exists.",
                        field=label,
                        name=node.get("names", {}).get(name) or value,
                    )
                )
            elif field.type == "selection" and value not in field.get_values(self.env):
                problems.append(
                    prefix
                    + _(
                        "%(field)s: the choice “%(name)s” no longer exists.",
                        field=label,
                        name=node.get("names", {}).get(name) or value,
                    )
                )
        for pname, children in node.get("parts", {}).items():
            if pname not in self._fields:
                continue
            Part = self.env[self._fields[pname].comodel_name]
            for child in children:
                inner = prefix + _(
                    "%(kind)s “%(name)s”: ",
                    kind=Part._version_kind(),
                    name=child["title"],
                )
                problems += Part._version_missing(child, inner)
        return problems

    @api.model
    def _version_reference_exists(self, value):
        model, res_id = value.split(",")
        return model in self.env and self.env[model].sudo().browse(int(res_id)).exists()

    @api.model
    def _version_restore_vals(self, node, current=None, skip=()):
        """The values that make the record of ``current`` (a node, None for a
        record to create) what ``node`` says: its changed fields, and commands
        that delete, update and create its parts."""
        vals = {}
        current_values = current["fields"] if current else {}
        names = self._version_field_names()
        for name, value in node["fields"].items():
            if name not in names or name in skip:
                continue
            if current is not None and current_values.get(name) == value:
                continue
            field = self._fields[name]
            vals[name] = (
                [Command.set(value or [])] if field.type == "many2many" else value
            )
        for pname, children in node.get("parts", {}).items():
            if pname not in self._fields:
                continue
            Part = self.env[self._fields[pname].comodel_name]
            now = {c["id"]: c for c in (current or {}).get("parts", {}).get(pname, [])}
            commands, kept = [], set()
            for child in children:
                if child["id"] in now:
                    kept.add(child["id"])
                    sub = Part._version_restore_vals(child, now[child["id"]])
                    if sub:
                        commands.append(Command.update(child["id"], sub))
                else:
                    commands.append(Command.create(Part._version_restore_vals(child)))
            deletes = [Command.delete(res_id) for res_id in now if res_id not in kept]
            if deletes or commands:
                vals[pname] = deletes + commands
        return vals


def html_list(lines):
    """Sentences as an HTML list, escaped."""
    if not lines:
        return False
    return Markup("<ul>%s</ul>") % Markup("").join(
        Markup("<li>%s</li>") % line for line in lines
    )
