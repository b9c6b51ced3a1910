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


# What the ``eval`` of an exported data file may hold: it runs in Odoo's
# loader with ``obj`` (the model's records), so an import by a Workflow
# Manager must not run anything else (``obj().sudo()``...).
COMMANDS = {"set", "clear", "create", "link"}


def is_data_expression(source, delegates=()):
    """Whether ``source`` is of the forms an export writes: literals,
    ``ref('x')``, ``Command.set/clear/create/link(...)``,
    ``obj().search(<literal>[, limit=1]).ids`` or ``.id``,
    ``obj(ref('x')).<delegate>.id`` (``delegates``: the ``_inherits`` fields),
    and ``+`` or ``%`` between them."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return False
    return _allowed(tree.body, frozenset(delegates))


def _allowed(node, delegates):
    def ok(child):
        return _allowed(child, delegates)

    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple):
        return all(map(ok, node.elts))
    if isinstance(node, ast.Dict):
        return None not in node.keys and all(map(ok, node.keys + node.values))
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.USub) and ok(node.operand)
    if isinstance(node, ast.BinOp):
        operator = isinstance(node.op, ast.Add | ast.Mod)
        return operator and ok(node.left) and ok(node.right)
    if isinstance(node, ast.Call):
        return _is_ref(node) or _is_command(node, ok)
    if isinstance(node, ast.Attribute) and node.attr in ("id", "ids"):
        return _is_search(node.value) or (
            node.attr == "id"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in delegates
            and _is_obj(node.value.value, of_ref=True)
        )
    return False


def _is_ref(node):
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ref"
        and not node.keywords
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _is_command(node, ok):
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "Command"
        and func.attr in COMMANDS
        and not node.keywords
        and all(map(ok, node.args))
    )


def _is_obj(node, of_ref=False):
    """``obj()``, or ``obj(ref('x'))`` when ``of_ref``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "obj"
        and not node.keywords
        and (
            (of_ref and len(node.args) == 1 and _is_ref(node.args[0]))
            or (not of_ref and not node.args)
        )
    )


def _is_search(node):
    """``obj().search(<literal domain>[, limit=1])``."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "search"
        and _is_obj(node.func.value)
        and len(node.args) == 1
    ):
        return False
    try:
        ast.literal_eval(node.args[0])
    except ValueError:
        return False
    return all(
        k.arg == "limit" and isinstance(k.value, ast.Constant) for k in node.keywords
    )
