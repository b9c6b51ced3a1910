# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Export rules, robots, triggers and functions as an installable add-on,
the way Odoo Studio exports customisations: a zip with a manifest and XML
data files with stable external ids, byte-identical for the same selection.

What a record is made of is read from its model, never from a list of
names: a field is exported when it is stored (or delegated, for a robot's
action), writable, and either copied by a duplicate or required (Odoo's own
line between configuration and state), and not a secret (``_secret_fields``
of the model, and any field named like a password, token, secret or API
key). A one2many that a duplicate copies holds the record's own parts
(conditions, actions, arguments): they are exported with it."""

import ast
import base64
import json
import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.modules.module import get_manifest

from ..runtime.module_zip import (
    MODULE_NAME,
    Field,
    data_file,
    manifest_source,
    write_zip,
)

ROOT_FIELDS = {
    "crm.workflow.function": "function_ids",
    "crm.workflow.rule": "rule_ids",
    "crm.workflow.robot": "robot_ids",
    "crm.workflow.trigger": "trigger_ids",
}
SECRET_NAME = re.compile(r"secret|token|password|passwd|api_?key", re.IGNORECASE)
LOOKUP_KEYS = {
    # how a record without an external id is found again on another database
    "res.users": ("login",),
    "res.partner": ("name", "email"),
    "ir.model": ("model",),
    "ir.model.fields": ("model", "name"),
    "ir.model.fields.selection": ("field_id.model", "field_id.name", "value"),
    "crm.stage": ("name", "team_id.name"),
}
DEFAULT_MODULE = "crm_workflow_automation_export"


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")[:40]


class Node:
    """One record of the export: its local external id, its fields, the
    parts it owns, and the records of the export it needs first."""

    def __init__(self, record, parent=None, inverse=None):
        self.record = record
        self.model = record._name
        self.parent = parent  # the Node this part belongs to
        self.inverse = inverse  # the part's field naming its parent
        self.xmlid = None
        self.values = []  # [(field name, kind, payload)]
        self.parts = []  # [(one2many field name, [Node, ...])]
        self.needs = set()  # Nodes referenced
        self.inline = False  # written inside its parent's create

    @property
    def root(self):
        return self.parent.root if self.parent else self


class ModuleExport:
    """The walk from the selected records to the files of the module."""

    def __init__(self, env, module):
        self.env = env(context=dict(env.context, lang="en_US", active_test=False))
        self.module = module
        self.Export = self.env["crm.workflow.export"]
        self.nodes = {}  # (model, id) -> Node
        self.depends = {"crm_workflow_automation"}
        self.secrets = []  # (Node, [field labels]) left out, to fill in
        self.lookups = set()  # (model, words) found by name on import
        self.skipped = set()  # words: values that could not be exported
        self.installed = set(
            self.env["ir.module.module"]
            .sudo()
            .search([("state", "=", "installed")])
            .mapped("name")
        )
        self._field_cache = {}
        self._upstream_cache = {}
        self._referenced_cache = {}
        self._default_cache = {}
        self._selection_modules = {}

    # -- what is exported of a model ---------------------------------------

    def _secret_names(self, records):
        """The secret fields of a model (``records`` empty) or those that one
        record uses (its own or its delegate's: a robot's action)."""
        names = set()
        for delegate in (None, *records._inherits.values()):
            target = records[delegate] if delegate else records
            hook = getattr(target, "_secret_fields", None)
            names |= set(hook() if hook else ())
        return names

    def _fields(self, model):
        """The fields of ``model``: [(name, field, base field)] exported,
        sorted ("name" first); [(name, field)] secret, left out; and
        [(name, field)] the user may not read, left out too."""
        if model in self._field_cache:
            return self._field_cache[model]
        Model = self.env[model]
        secret = self._secret_names(Model.browse())
        # a field the user may not read is not exported (not read with sudo)
        delegated = set(Model._inherits.values())
        kept, secrets, hidden, relations = [], [], [], set()
        for name, field in sorted(Model._fields.items()):
            base = field
            if field.inherited:
                base = self.env[field.related_field.model_name]._fields[name]
            if (
                name in models.MAGIC_COLUMNS
                or name in delegated
                or not (field.store or field.inherited)
                or (base.related and not field.inherited)
                or base.readonly
                or field.type in ("binary", "properties", "properties_definition")
            ):
                continue
            if name in secret or (
                field.type in ("char", "text") and SECRET_NAME.search(name)
            ):
                secrets.append((name, field))
                continue
            if not (base.copy or base.required):
                continue
            if field.groups and not self.env.user.has_groups(field.groups):
                # e.g. Python code, for Workflow Developers only
                hidden.append((name, field))
                continue
            if field.type == "many2many":
                # two fields on one table are one relation, both ways
                if field.relation in relations:
                    continue
                relations.add(field.relation)
            kept.append((name, field, base))
        kept.sort(key=lambda item: (item[0] != "name", item[0]))
        self._field_cache[model] = (kept, secrets, hidden)
        return kept, secrets, hidden

    def _owned(self, field):
        """Whether a one2many holds parts of its record (a duplicate copies
        them): conditions, actions, arguments."""
        return field.type == "one2many" and field.copy

    # -- the walk -------------------------------------------------------

    def add(self, records):
        for record in records:
            self._node(record)

    def _node(self, record, parent=None, inverse=None):
        key = (record._name, record.id)
        if key in self.nodes:
            return self.nodes[key]
        node = self.nodes[key] = Node(record, parent, inverse)
        self._note_left_out(node)
        kept = self._fields(record._name)[0]
        defaults = self._defaults(record._name, [name for name, __, __ in kept])
        for name, field, __ in kept:
            if name != inverse and field.type != "one2many":
                self._field_value(node, name, field, defaults.get(name))
        # the parts after the values: a part may point to a record that the
        # values brought in (an argument line to its function's argument)
        for name, field, base in kept:
            if field.type == "one2many" and self._owned(base):
                parts = [
                    self._node(part, node, base.inverse_name) for part in record[name]
                ]
                if parts:
                    node.parts.append((name, parts))
        return node

    def _defaults(self, model, names):
        """What a new record of ``model`` would have, to leave out of the
        file: for the add-on's own models, whose defaults are constants (or
        the user, and relations are always written). Another model's default
        may be drawn at random (a tag's color): every value set is written,
        so that two exports are the same."""
        if not model.startswith("crm.workflow."):
            return {}
        if model not in self._default_cache:
            self._default_cache[model] = self.env[model].default_get(names)
        return self._default_cache[model]

    def _note_left_out(self, node):
        """The secrets a record uses (to fill in) and the fields its user
        may not read (not exported)."""
        record = node.record
        __, secrets, hidden = self._fields(record._name)
        for name, field in hidden:
            if record.sudo()[name]:
                self.skipped.add(
                    self.env._(
                        "%(record)s: %(field)s (you may not read it)",
                        record=record.display_name,
                        field=field.string,
                    )
                )
        used = self._secret_names(record)
        filled = [f for name, f in secrets if name in used and record.sudo()[name]]
        if filled:
            self.secrets.append((node, [f.string for f in filled]))

    def _field_value(self, node, name, field, default):
        """A field's value, when it is not what a new record would have."""
        value = node.record[name]
        if field.type == "boolean":
            # another model's booleans all: its default is not known
            mine = node.model.startswith("crm.workflow.")
            if not mine or bool(value) != bool(default):
                node.values.append((name, "eval", repr(bool(value))))
        elif field.type in ("many2one", "many2many", "reference"):
            if value:
                self._value(node, name, field, value)
            elif default:
                empty = "[Command.clear()]" if field.type == "many2many" else "False"
                node.values.append((name, "eval", empty))
        elif field.type in ("integer", "float", "monetary"):
            if value != (default or 0):
                self._value(node, name, field, value)
        elif value:
            if value != default:
                self._value(node, name, field, value)
        elif default:
            # empty where a new record would not be
            node.values.append((name, "eval", "False"))

    def _value(self, node, name, field, value):
        if field.type in ("many2one", "many2many"):
            targets = [self._target(node, field, r) for r in value]
            targets = [t for t in targets if t is not None]
            if field.type == "many2one" and not targets and value:
                return
            node.values.append((name, field.type, targets))
        elif field.type == "reference":
            target = value and self._target(node, field, value)
            if target is not None:
                node.values.append((name, "reference", [target]))
        elif field.type == "selection":
            self._selection_module(field, value)
            node.values.append((name, "text", value or ""))
        elif field.type in ("boolean", "integer", "float", "monetary", "json"):
            node.values.append((name, "eval", repr(value)))
        elif field.type in ("date", "datetime"):
            node.values.append((name, "text", field.to_string(value) or ""))
        else:
            node.values.append((name, "text", value or ""))

    def _selection_module(self, field, value):
        """The module that adds ``value`` to a selection depends the export
        on it (an action type of the SMS add-on)."""
        if not value:
            return
        base = field
        if field.inherited:
            base = field.related_field
        key = (base.model_name, base.name, value)
        if key not in self._selection_modules:
            option = (
                self.env["ir.model.fields.selection"]
                .sudo()
                .search(
                    [
                        ("field_id.model", "=", base.model_name),
                        ("field_id.name", "=", base.name),
                        ("value", "=", value),
                    ]
                )
            )
            modules = sorted(
                self.env["ir.model.data"]
                .sudo()
                .search([("model", "=", option._name), ("res_id", "in", option.ids)])
                .mapped("module")
            )
            self._selection_modules[key] = modules[:1]
        self.depends.update(self._selection_modules[key])

    def _real_xmlid(self, record):
        """An external id of ``record`` from an installed module other than
        this export, or None; of the module that needs the fewest others
        when there are several (``base.model_res_partner``, not the id
        of a module that extends partners)."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [("model", "=", record._name), ("res_id", "=", record.id)],
                order="module, name",
            )
        )
        rows = [
            r for r in data if r.module in self.installed and r.module != self.module
        ]
        return min(rows, key=lambda r: len(self._upstream(r.module)), default=None)

    def _upstream(self, name):
        """The modules that module ``name`` needs, directly or not."""
        if name not in self._upstream_cache:
            self._upstream_cache[name] = upstream = set()
            module = (
                self.env["ir.module.module"]
                .sudo()
                .search([("name", "=", name)], limit=1)
            )
            for dep in module.dependencies_id.mapped("name"):
                upstream |= {dep} | self._upstream(dep)
        return self._upstream_cache[name]

    def _target(self, node, field, record):
        """What a relational value becomes: a Node of the export, an external
        id of an installed module, or a lookup (model, domain); None when
        it cannot be written."""
        key = (record._name, record.id)
        data = None
        if key in self.nodes:
            target = self.nodes[key]
        elif record._name in ROOT_FIELDS:
            target = self._node(record)
        elif not (data := self._real_xmlid(record)) and record._name in (
            self.Export._companion_models()
        ):
            target = self._node(record)
        elif data:
            self.depends.add(data.module)
            return f"{data.module}.{data.name}"
        else:
            domain = self._lookup(record)
            if domain is None:
                self.skipped.add(
                    self.env._(
                        "%(record)s: %(field)s (%(value)s)",
                        record=node.record.display_name,
                        field=field.string,
                        value=record.display_name,
                    )
                )
                return None
            # what the other database must have: the values searched
            words = ", ".join(str(term[2]) for term in ast.literal_eval(domain))
            self.lookups.add((record._description, words))
            return (record._name, domain)
        node.needs.add(target)
        return target

    def _lookup(self, record):
        keys = LOOKUP_KEYS.get(record._name)
        if not keys:
            name = record._rec_name
            if not name or not record._fields[name].store:
                return None
            keys = (name,)
        domain = []
        for path in keys:
            value = record.sudo().mapped(path)
            value = value[0] if value else False
            if value or path == keys[0]:
                domain.append((path, "=", value))
        return repr(domain)

    # -- external ids ------------------------------------------------------

    def _assign_xmlids(self):
        """A root or part keeps its name when it has one of this export or of
        an earlier one (``__export__``, a module imported by the wizard);
        any other gets an ``__export__`` external id now, as Odoo's own
        export does, so that it stays the same in the next export."""
        Data = self.env["ir.model.data"].sudo()
        taken = set()
        nodes = sorted(self.nodes.values(), key=lambda n: (n.model, n.record.id))
        for node in nodes:
            if node.inline:
                continue
            rows = Data.search(
                [("model", "=", node.model), ("res_id", "=", node.record.id)],
                order="module, name",
            )
            # this export's own name, then one of an installed module (a
            # demo record), then one of an earlier export or import
            own = [r.name for r in rows if r.module == self.module]
            real = [f"{r.module}_{r.name}" for r in rows if r.module in self.installed]
            earlier = [r.name for r in rows if r.module not in self.installed]
            name = next(iter(own + real + earlier), None) or self._new_xmlid(node, Data)
            while name in taken:
                name = f"{name}_{node.record.id}"
            taken.add(name)
            node.xmlid = name

    def _new_xmlid(self, node, Data):
        table = node.model.replace(".", "_")
        base = f"{table}_{_slug(node.record.display_name) or node.record.id}"
        name, number = base, 1
        while Data.search_count([("module", "=", "__export__"), ("name", "=", name)]):
            number += 1
            name = f"{base}_{number}"
        Data.create(
            {
                "module": "__export__",
                "name": name,
                "model": node.model,
                "res_id": node.record.id,
            }
        )
        return name

    # -- writing ---------------------------------------------------------

    def _mark_inline(self):
        """A part that no other model points to (a function call's argument
        line) is a line of its parent, written in its create: an action
        checks its lines when it is created. A part that other models point
        to (an action: its jobs and runs; a function's argument) keeps an
        external id of its own, so that an import over an earlier one
        updates it in place; it comes after its parent."""
        for node in self.nodes.values():
            node.inline = bool(
                node.parent
                and not node.parts
                and not self._referenced(node.model)
                and not any(
                    kind == "reference"
                    or isinstance(payload, list)
                    and any(isinstance(t, tuple) for t in payload)
                    for __, kind, payload in node.values
                )
            )

    def _referenced(self, model):
        """Whether a many2one of another model points to ``model``."""
        if model not in self._referenced_cache:
            self._referenced_cache[model] = any(
                field.type == "many2one" and field.comodel_name == model
                for other in self.env.registry.models.values()
                if other._name != model and not other._transient
                for field in other._fields.values()
            )
        return self._referenced_cache[model]

    @staticmethod
    def _ref(target):
        return target if isinstance(target, str) else target.xmlid

    def _field(self, name, kind, payload, Model):
        """The ``<field>`` of a value."""
        if kind == "text":
            return Field(name, (), payload)
        if kind == "eval":
            return Field(name, (("eval", payload),))
        comodel = Model._fields[name].comodel_name if kind != "reference" else None
        if kind in ("many2one", "reference"):
            (target,) = payload
            if isinstance(target, tuple):
                model, domain = target
                if kind == "reference":
                    return Field(
                        name,
                        (
                            ("model", model),
                            (
                                "eval",
                                f"'{model},%d' % obj().search({domain}, limit=1).id",
                            ),
                        ),
                    )
                return Field(name, (("search", domain),))
            return Field(name, (("ref", self._ref(target)),))
        refs = [f"ref({self._ref(t)!r})" for t in payload if not isinstance(t, tuple)]
        found = [f"obj().search({t[1]}).ids" for t in payload if isinstance(t, tuple)]
        ids = f"[{', '.join(refs)}]"
        if found:
            return Field(
                name,
                (
                    ("model", comodel),
                    ("eval", f"[Command.set({' + '.join([ids, *found])})]"),
                ),
            )
        return Field(name, (("eval", f"[Command.set({ids})]"),))

    def _inline_source(self, node):
        """A part as the ``Command.create({...})`` of its parent's field."""
        items = []
        for name, kind, payload in node.values:
            if kind == "text":
                source = repr(str(payload))
            elif kind == "eval":
                source = payload
            elif kind == "many2one":
                source = f"ref({self._ref(payload[0])!r})"
            else:
                refs = ", ".join(f"ref({self._ref(t)!r})" for t in payload)
                source = f"[Command.set([{refs}])]"
            items.append(f"{name!r}: {source}")
        return f"Command.create({{{', '.join(items)}}})"

    def _record(self, node):
        Model = self.env[node.model]
        written = []
        for name, kind, payload in node.values:
            written.append(self._field(name, kind, payload, Model))
        if node.parent:
            written.append(self._parent_field(node))
        for name, parts in node.parts:
            inline = [p for p in parts if p.inline]
            if inline:
                # cleared first: an import over an earlier one replaces them
                creates = ", ".join(
                    ["Command.clear()"] + [self._inline_source(p) for p in inline]
                )
                written.append(Field(name, (("eval", f"[{creates}]"),)))
        written.sort(key=lambda f: (f.name != "name", f.name))
        return (node.xmlid, node.model, written, None)

    def _parent_field(self, node):
        """The part's field naming its parent: a reference to the parent, or
        to the record the parent delegates to (a robot's action)."""
        parent = node.parent
        comodel = self.env[node.model]._fields[node.inverse].comodel_name
        if comodel == parent.model:
            return Field(node.inverse, (("ref", parent.xmlid),))
        delegate = self.env[parent.model]._inherits[comodel]
        return Field(
            node.inverse,
            (
                ("model", parent.model),
                ("eval", f"obj(ref({parent.xmlid!r})).{delegate}.id"),
            ),
        )

    def _file_order(self):
        """Roots by file (one per model), the files in an order where what a
        record needs comes first (ties by name), the records of a file in
        their model's order, each followed by its parts."""
        roots = defaultdict(list)
        for node in self.nodes.values():
            if not node.parent:
                roots[node.model].append(node)
        after = defaultdict(set)  # model -> models it needs
        for node in self.nodes.values():
            for target in node.needs:
                if target.root.model != node.root.model:
                    after[node.root.model].add(target.root.model)
        ordered, done = [], set()
        while len(ordered) < len(roots):
            ready = sorted(
                m for m in roots if m not in done and not (after[m] - done) & set(roots)
            ) or sorted(m for m in roots if m not in done)
            ordered.append(ready[0])
            done.add(ready[0])
        files = []
        for model in ordered:
            records = self.env[model].browse([n.record.id for n in roots[model]])
            ids = records.with_context(active_test=False).search(
                [("id", "in", records.ids)]
            )
            nodes = [self.nodes[(model, rid)] for rid in ids.ids]
            files.append((model, self._emit_roots(nodes)))
        return files

    def _emit_roots(self, nodes):
        """Records of one file, a record needed by another of the same file
        first."""
        out, seen = [], set()

        def visit(node, path):
            if node in seen or node in path:
                return
            for target in sorted(
                (t for t in node.needs if isinstance(t, Node)),
                key=lambda t: t.xmlid,
            ):
                root = target.root
                if root.model == node.root.model and root is not node.root:
                    visit(root, path | {node})
            seen.add(node)
            out.append(node)
            for __, parts in node.parts:
                for part in parts:
                    if not part.inline:
                        out.append(part)
                        seen.add(part)
                        out.extend(self._deep_parts(part, seen))

        for node in nodes:
            visit(node, frozenset())
        return out

    def _deep_parts(self, node, seen):
        out = []
        for __, parts in node.parts:
            for part in parts:
                if not part.inline:
                    seen.add(part)
                    out.append(part)
                    out.extend(self._deep_parts(part, seen))
        return out

    def _minimal_depends(self):
        """The modules needed, without those another one already needs."""
        names = {m for m in self.depends if m != "__export__"}
        implied = set().union(*(self._upstream(n) for n in names)) if names else set()
        # the add-on itself stays named, whatever else needs it
        return sorted((names - implied) | {"crm_workflow_automation"})

    def build(self, title):
        """{path: bytes} of the module, and the words of what to fill in."""
        self._mark_inline()
        self._assign_xmlids()
        files, data = {}, []
        for model, nodes in self._file_order():
            path = f"data/{model.replace('.', '_')}.xml"
            data.append(path)
            files[path] = data_file([self._record(n) for n in nodes])
        to_fill = sorted(
            self.env._(
                "%(record)s (%(model)s, %(xmlid)s): %(fields)s",
                record=self._label(node),
                model=node.record._description,
                xmlid=".".join((self.module, node.xmlid)),
                fields=", ".join(labels),
            )
            for node, labels in self.secrets
        )
        files["__init__.py"] = ""
        files["__manifest__.py"] = manifest_source(
            {
                "name": title,
                "summary": "CRM workflow automation exported from another database",
                "version": "18.0.1.0.0",
                "category": "Sales/CRM",
                "license": "LGPL-3",
                "depends": self._minimal_depends(),
                "data": data,
                "installable": True,
            }
        )
        files["to_fill_in.json"] = (
            json.dumps(
                [
                    {
                        "xmlid": f"{self.module}.{node.xmlid}",
                        "record": self._label(node),
                        "fields": labels,
                    }
                    for node, labels in sorted(self.secrets, key=lambda s: s[0].xmlid)
                ],
                indent=4,
                ensure_ascii=False,
            )
            + "\n"
        )
        files["README.md"] = self._readme(title, to_fill)
        return files, to_fill

    def _label(self, node):
        """A record's name with the names of what it belongs to: an action
        is named after its rule (“Push leads › Push”)."""
        names = []
        while node:
            if node.record.display_name:
                names.insert(0, node.record.display_name)
            node = node.parent
        return " › ".join(names)

    def _readme(self, title, to_fill):
        _ = self.env._
        lines = [
            f"# {title}",
            "",
            _(
                "Workflow rules, robots, stage triggers and functions exported by "
                "CRM Workflow Automation. Install this folder as an add-on, or "
                "import the zip from Workflow Automation > Import."
            ),
            "",
            "## " + _("To fill in after the import"),
            "",
            _(
                "Secrets are never exported: enter them again on the records "
                "below. A webhook trigger gets a new token, so a new URL: give it "
                "to the system that calls it."
            ),
            "",
        ]
        lines += [f"- {line}" for line in to_fill] or ["- " + _("Nothing.")]
        if self.lookups:
            lines += [
                "",
                "## " + _("Found by name on the other database"),
                "",
            ]
            lines += sorted(f"- {model}: {name}" for model, name in self.lookups)
        if self.skipped:
            lines += ["", "## " + _("Not exported"), ""]
            lines += sorted(f"- {line}" for line in self.skipped)
        return "\n".join(lines) + "\n"


class CrmWorkflowExport(models.TransientModel):
    """The export dialog: the selection, the module's name and title, and
    the zip to download."""

    _name = "crm.workflow.export"
    _description = "Export Workflow Automation as a Module"

    rule_ids = fields.Many2many(
        "crm.workflow.rule",
        "crm_workflow_export_rule_rel",
        "export_id",
        "rule_id",
        string="Workflow rules",
    )
    robot_ids = fields.Many2many(
        "crm.workflow.robot",
        "crm_workflow_export_robot_rel",
        "export_id",
        "robot_id",
        string="Automation rules of stages",
    )
    trigger_ids = fields.Many2many(
        "crm.workflow.trigger",
        "crm_workflow_export_trigger_rel",
        "export_id",
        "trigger_id",
        string="Stage triggers",
    )
    function_ids = fields.Many2many(
        "crm.workflow.function",
        "crm_workflow_export_function_rel",
        "export_id",
        "function_id",
        string="Functions",
    )
    module_name = fields.Char(
        string="Technical name",
        required=True,
        default=DEFAULT_MODULE,
        help="The add-on's folder name: lowercase letters, digits and underscores.",
    )
    module_title = fields.Char(
        string="Title", required=True, default="CRM Workflow Automation (exported)"
    )
    state = fields.Selection(
        [("choose", "Choose"), ("done", "Done")], default="choose", readonly=True
    )
    file = fields.Binary(string="Module", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)
    to_fill_in = fields.Text(string="To fill in after the import", readonly=True)
    not_exported = fields.Text(readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        ids = self.env.context.get("active_ids")
        if model in ROOT_FIELDS and ids and ROOT_FIELDS[model] in fields_list:
            values[ROOT_FIELDS[model]] = [fields.Command.set(ids)]
        return values

    @api.constrains("module_name")
    def _check_module_name(self):
        for wizard in self:
            name = wizard.module_name or ""
            if not MODULE_NAME.match(name) or not name.isidentifier():
                raise ValidationError(
                    self.env._(
                        "“%(name)s” is not a technical name: use lowercase letters, "
                        "digits and underscores, starting with a letter.",
                        name=name,
                    )
                )
            manifest = get_manifest(name)
            if manifest and "crm_workflow_automation" not in manifest.get(
                "depends", ()
            ):
                raise ValidationError(
                    self.env._(
                        "An add-on named “%(name)s” exists already: choose another "
                        "name.",
                        name=name,
                    )
                )

    @api.model
    def _companion_models(self):
        """Models whose records are exported with what refers to them when
        they have no external id of an installed module (a further module
        adds its own, e.g. SMS templates)."""
        return ("mail.template", "crm.tag", "mail.activity.type")

    def _selected(self):
        return [self[name] for name in ROOT_FIELDS.values() if self[name]]

    def _build(self):
        """{path: bytes} of the module and the list of what to fill in."""
        self.ensure_one()
        selected = self._selected()
        if not selected:
            raise UserError(self.env._("Choose what to export."))
        export = ModuleExport(self.env, self.module_name)
        for records in selected:
            export.add(records)
        files, to_fill = export.build(self.module_title)
        return files, to_fill, sorted(export.skipped)

    def action_export(self):
        self.ensure_one()
        files, to_fill, skipped = self._build()
        self.write(
            {
                "state": "done",
                "file": base64.b64encode(write_zip(self.module_name, files)),
                "filename": f"{self.module_name}.zip",
                "to_fill_in": "\n".join(to_fill)
                or self.env._("Nothing: no secret was left out."),
                "not_exported": "\n".join(skipped),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Export as a module"),
        }
