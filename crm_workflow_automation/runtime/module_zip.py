# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An exported module as files: its XML data files and a zip whose bytes
depend only on its content (sorted entries, fixed dates and permissions), so
that a second export of the same selection is byte-identical and diffs in
git. Reading it back: the manifest as a literal, the files by path."""

import ast
import io
import re
import zipfile
from typing import NamedTuple

from lxml import etree

# the date of every zip entry: the earliest a zip can store
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Field(NamedTuple):
    """One ``<field>`` of a record: its attributes after ``name``, and its
    text (None for none)."""

    name: str
    attrs: tuple = ()  # ((attribute, value), ...), in this order
    text: str | None = None


def data_file(records):
    """The bytes of an Odoo XML data file of ``records``: [(xml id, model,
    [Field, ...], comment or None)], in that order."""
    root = etree.Element("odoo")
    for xmlid, model, fields_, comment in records:
        if comment:
            root.append(etree.Comment(f" {comment} "))
        node = etree.SubElement(root, "record", id=xmlid, model=model)
        for field in fields_:
            child = etree.SubElement(node, "field", name=field.name)
            for attr, value in field.attrs:
                child.set(attr, value)
            if field.text is not None:
                child.text = field.text
    etree.indent(root, space="    ")
    return b'<?xml version="1.0" encoding="utf-8" ?>\n' + etree.tostring(
        root, encoding="utf-8"
    )


def manifest_source(values):
    """A ``__manifest__.py`` of ``values`` (a dict of literals), one key a
    line, in the order given."""
    lines = ["{"]
    for key, value in values.items():
        lines.append(f"    {key!r}: {value!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_zip(module, files):
    """The bytes of a zip holding ``files`` ({path: bytes or str}) under the
    folder ``module``: entries sorted, dated ZIP_DATE, mode 644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            content = files[path]
            if isinstance(content, str):
                content = content.encode()
            info = zipfile.ZipInfo(f"{module}/{path}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, wherever the export runs
            info.external_attr = 0o100644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


class BadModule(Exception):
    """A zip that is not one module with a manifest; ``reason`` says why:
    ``zip``, ``folder``, ``name``, ``manifest``."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class ModuleZip(NamedTuple):
    """A module read from a zip: its name, manifest and files by path."""

    name: str
    manifest: dict
    files: dict  # {path inside the module: bytes}


def read_zip(content):
    """The module in ``content`` (zip bytes); BadModule when it is not one
    module with a manifest."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as e:
        raise BadModule("zip") from e
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        folders = {n.split("/", 1)[0] for n in names}
        if len(folders) != 1 or any("/" not in n for n in names):
            raise BadModule("folder")
        (name,) = folders
        if not MODULE_NAME.match(name):
            raise BadModule("name")
        files = {n.split("/", 1)[1]: archive.read(n) for n in names}
    if "__manifest__.py" not in files:
        raise BadModule("manifest")
    try:
        manifest = ast.literal_eval(files["__manifest__.py"].decode())
    except (ValueError, SyntaxError, UnicodeDecodeError) as e:
        raise BadModule("manifest") from e
    if not isinstance(manifest, dict) or not isinstance(
        manifest.get("depends", []), list | tuple
    ):
        raise BadModule("manifest")
    return ModuleZip(name, manifest, files)
