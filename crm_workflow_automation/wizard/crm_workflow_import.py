# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Import a module made by the export: its XML files loaded by Odoo's own
loader under the module's name, as an install would load them, all or
nothing."""

import ast
import base64
import io
import json

from lxml import etree

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.modules.module import get_manifest
from odoo.tools.convert import convert_xml_import

from ..runtime.module_zip import BadModule, is_data_expression, read_zip
from .crm_workflow_export import ROOT_FIELDS


class _NamedBytes(io.BytesIO):
    """A file in memory with the name Odoo's XML loader reports errors with."""

    def __init__(self, content, name):
        super().__init__(content)
        self.name = name


class CrmWorkflowImport(models.TransientModel):
    _name = "crm.workflow.import"
    _description = "Import Workflow Automation from a Module"

    file = fields.Binary(string="Module (zip)", required=True, attachment=False)
    filename = fields.Char()
    state = fields.Selection(
        [("choose", "Choose"), ("done", "Done")], default="choose", readonly=True
    )
    module_name = fields.Char(string="Module", readonly=True)
    summary = fields.Text(string="Imported", readonly=True)
    to_fill_in = fields.Text(string="To fill in", readonly=True)

    @api.model
    def _allowed_models(self):
        """What a module of the export may hold: the four kinds, their parts
        and the records exported with them; nothing else is loaded (a zip
        is data, never code)."""
        allowed = set(ROOT_FIELDS) | set(
            self.env["crm.workflow.export"]._companion_models()
        )
        todo = list(allowed)
        while todo:
            Model = self.env[todo.pop()]
            for field in Model._fields.values():
                if field.type == "one2many" and field.copy:
                    if field.comodel_name not in allowed:
                        allowed.add(field.comodel_name)
                        todo.append(field.comodel_name)
        return allowed

    def _read(self):
        """The module of the zip, or a UserError in words."""
        try:
            return read_zip(base64.b64decode(self.file))
        except BadModule as e:
            problem = {
                "zip": self.env._("it is not a zip file."),
                "folder": self.env._("the zip must hold one module folder."),
                "name": self.env._("the folder's name is not a technical name."),
                "manifest": self.env._(
                    "the module has no __manifest__.py with a Python dictionary."
                ),
            }[e.reason]
            raise UserError(
                self.env._("This file cannot be imported: %(problem)s", problem=problem)
            ) from e

    def _check_data(self, module, path, content):
        """The ids of the records of a data file, after checking that it
        holds only what an export writes: records of the allowed models,
        fields whose ``eval`` is of the export's forms (the loader would run
        any code in it, as the importing user, with ``obj().sudo()``)."""
        try:
            root = etree.fromstring(content)
        except etree.XMLSyntaxError as e:
            raise UserError(
                self.env._("%(file)s is not valid XML: %(error)s", file=path, error=e)
            ) from e
        allowed = self._allowed_models()
        delegates = {f for model in allowed for f in self.env[model]._inherits.values()}
        ids = []
        for record in root:
            if not isinstance(record.tag, str):
                continue  # a comment
            if record.tag != "record" or record.get("model") not in allowed:
                self._refuse(path, record.get("model") or record.tag)
            if set(record.attrib) - {"id", "model"}:
                self._refuse(path, ", ".join(sorted(record.attrib)))
            xmlid = record.get("id") or ""
            if "." in xmlid and xmlid.split(".", 1)[0] != module:
                raise UserError(
                    self.env._(
                        "%(file)s changes a record of another module (%(xmlid)s).",
                        file=path,
                        xmlid=xmlid,
                    )
                )
            ids.append(xmlid.split(".")[-1])
            for field in record:
                if not isinstance(field.tag, str):
                    continue
                if (
                    field.tag != "field"
                    or len(field)
                    or set(field.attrib) - {"name", "ref", "eval", "search", "model"}
                ):
                    self._refuse(path, f"{field.tag} {dict(field.attrib)}")
                code = field.get("eval")
                if code is not None and not is_data_expression(code, delegates):
                    self._refuse(path, code)
                domain = field.get("search")
                if domain is not None:
                    try:
                        ast.literal_eval(domain)
                    except (ValueError, SyntaxError):
                        self._refuse(path, domain)
        if root.tag != "odoo" or root.attrib:
            self._refuse(path, root.tag)
        return ids

    def _check_found(self, content):
        """The records a data file finds by name (stages, users) exist here:
        else the list of what to create first, rather than an empty stage or
        a database error."""
        missing = []
        for record in etree.fromstring(content).iter("record"):
            Model = self.env[record.get("model")]
            for field in record.iter("field"):
                domain = field.get("search")
                if domain is None or field.get("name") not in Model._fields:
                    continue
                comodel = field.get("model") or (
                    Model._fields[field.get("name")].comodel_name
                )
                if comodel and not self.env[comodel].search_count(
                    ast.literal_eval(domain), limit=1
                ):
                    values = [str(term[2]) for term in ast.literal_eval(domain)]
                    missing.append(
                        f"{self.env[comodel]._description}: {', '.join(values)}"
                    )
        return missing

    def _refuse(self, path, what):
        raise UserError(
            self.env._(
                "%(file)s holds something else than the records an export writes "
                "(%(what)s): it is not imported.",
                file=path,
                what=what,
            )
        )

    def action_import(self):
        self.ensure_one()
        module = self._read()
        name, manifest = module.name, module.manifest
        if name == "crm_workflow_automation" or (
            (existing := get_manifest(name))
            and "crm_workflow_automation" not in existing.get("depends", ())
        ):
            raise UserError(
                self.env._(
                    "“%(name)s” is the name of another add-on: it is not imported.",
                    name=name,
                )
            )
        if "crm_workflow_automation" not in manifest.get("depends", ()):
            raise UserError(
                self.env._(
                    "“%(name)s” is not an export of workflow automation.", name=name
                )
            )
        installed = set(
            self.env["ir.module.module"]
            .sudo()
            .search([("state", "=", "installed")])
            .mapped("name")
        )
        missing = sorted(set(manifest.get("depends", ())) - installed)
        if missing:
            raise UserError(
                self.env._(
                    "Install these add-ons first: %(modules)s.",
                    modules=", ".join(missing),
                )
            )
        paths = manifest.get("data", [])
        if not isinstance(paths, list | tuple):
            paths = [paths]
        for path in paths:
            if (
                not isinstance(path, str)
                or not path.endswith(".xml")
                or path not in module.files
            ):
                raise UserError(
                    self.env._(
                        "The module lists %(file)s, which is not one of its XML files.",
                        file=path,
                    )
                )
        loaded = {
            path: self._check_data(name, path, module.files[path]) for path in paths
        }
        missing = sorted(
            {m for path in paths for m in self._check_found(module.files[path])}
        )
        if missing:
            raise UserError(
                self.env._(
                    "These records are not on this database; create them (or give "
                    "them these names) first, then import again:\n%(missing)s",
                    missing="\n".join(missing),
                )
            )
        env = self.env(context=dict(self.env.context, lang="en_US"))
        Data = env["ir.model.data"].sudo()
        mode = "update" if Data.search_count([("module", "=", name)]) else "init"
        try:
            with self.env.cr.savepoint():
                for path in paths:
                    convert_xml_import(
                        env,
                        name,
                        _NamedBytes(module.files[path], f"{name}/{path}"),
                        {},
                        mode,
                        False,
                    )
                removed = self._remove_dropped(name, loaded)
                env.flush_all()
        except UserError:
            raise
        except Exception as e:
            raise UserError(
                self.env._("The import was undone: %(error)s", error=str(e) or repr(e))
            ) from e
        self.write(
            {
                "state": "done",
                "module_name": name,
                "summary": self._summary(name, removed),
                "to_fill_in": self._to_fill_in(module.files),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import from a module"),
        }

    def _remove_dropped(self, module, loaded):
        """Records an earlier import of the module made and this one no
        longer has (removed from the selection since) go, as they would on
        an upgrade of the module."""
        allowed = self._allowed_models()
        names = {n for ids in loaded.values() for n in ids}
        # a record made by delegation (a robot's action) has the id of its
        # record with the parent's model after it, as Odoo's loader names it
        names |= {
            f"{name}_{parent.replace('.', '_')}"
            for name in list(names)
            for model in allowed
            for parent in self.env[model]._inherits
        }
        Data = self.env["ir.model.data"].sudo()
        companions = set(self.env["crm.workflow.export"]._companion_models())
        gone = Data.search(
            [
                ("module", "=", module),
                ("model", "in", list(allowed - companions)),
                ("name", "not in", list(names) or [""]),
            ]
        )
        count = 0
        for row in gone:
            record = self.env[row.model].browse(row.res_id).exists()
            if record:
                record.unlink()
                count += 1
        gone.unlink()
        return count

    def _summary(self, module, removed):
        Data = self.env["ir.model.data"].sudo()
        lines = []
        for model in ROOT_FIELDS:
            count = Data.search_count([("module", "=", module), ("model", "=", model)])
            if count:
                lines.append(
                    self.env._(
                        "%(model)s: %(count)s",
                        model=self.env[model]._description,
                        count=count,
                    )
                )
        if removed:
            lines.append(
                self.env._(
                    "Removed (no longer in the module): %(count)s", count=removed
                )
            )
        return "\n".join(lines)

    def _to_fill_in(self, files):
        """What the export left out, from its to_fill_in.json."""
        try:
            items = json.loads(files.get("to_fill_in.json") or b"[]")
        except ValueError:
            items = []
        lines = []
        for item in items if isinstance(items, list) else []:
            lines.append(
                self.env._(
                    "%(record)s: %(fields)s",
                    record=item.get("record"),
                    fields=", ".join(item.get("fields", [])),
                )
            )
        return "\n".join(lines) or self.env._("Nothing: no secret was left out.")
