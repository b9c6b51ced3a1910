# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A condition's domain compiled into a Python predicate over the values the
ORM cache holds, for the small batches of the interactive path (one record
saved in a form): evaluating it on the cached record costs microseconds where
an SQL search costs a parse and a round trip (bench/RESULTS.md, issue 26).

The predicate answers exactly what Odoo 18's SQL answers
(``BaseModel._condition_to_sql``), NULL handling included; what it cannot
answer that way is not compiled (``compile_domain`` returns None) and the
matcher searches in SQL: related paths, x2many fields, translated and
company-dependent fields, ``like`` and ``child_of`` operators, inequalities
on texts (PostgreSQL's collation is not Python's order), values that Odoo
would resolve by name.
"""

import ast
import datetime

from odoo.osv import expression

# field types whose cache value a predicate can compare as SQL does
NUMBER_TYPES = ("integer", "float", "monetary")
TEXT_TYPES = ("char", "text", "selection")
DATE_TYPES = ("date", "datetime")
COMPARISONS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class NotCompiled(Exception):
    """The domain uses something only SQL answers exactly."""


def static_domain(text):
    """The domain of a condition written as a literal (no ``uid``, no
    ``context_today()``...), as a tuple, or None: only a literal may be
    cached, the others are evaluated at each event."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(value, list | tuple):
        return None
    return tuple(expression.normalize_domain(list(value)))


def compile_domain(model, domain):
    """(predicate, field names) for ``domain`` on ``model``: ``predicate(get)``
    with ``get(field name)`` the record's cache value; None when the domain
    cannot be compiled exactly."""
    domain = expression.normalize_domain(list(domain))
    if domain == [expression.TRUE_LEAF]:
        return (lambda get: True), ()
    fnames = set()
    try:
        predicate, rest = _compile(model, domain, 0, fnames)
    except NotCompiled:
        return None
    if rest != len(domain):
        return None
    return predicate, tuple(sorted(fnames))


def _compile(model, domain, pos, fnames):
    """The predicate of the (prefix-notation) domain term at ``pos`` and the
    position after it."""
    if pos >= len(domain):
        raise NotCompiled
    token = domain[pos]
    if token == "!":
        inner, pos = _compile(model, domain, pos + 1, fnames)
        return (lambda get: not inner(get)), pos
    if token in ("&", "|"):
        left, pos = _compile(model, domain, pos + 1, fnames)
        right, pos = _compile(model, domain, pos, fnames)
        if token == "&":
            return (lambda get: left(get) and right(get)), pos
        return (lambda get: left(get) or right(get)), pos
    if not isinstance(token, list | tuple) or len(token) != 3:
        raise NotCompiled
    return _leaf(model, *token, fnames), pos + 1


def _field(model, fname):
    if not isinstance(fname, str) or "." in fname:
        raise NotCompiled
    field = model._fields.get(fname)
    if (
        field is None
        or not field.store
        or not field.column_type
        or field.translate
        or field.company_dependent
        or fname == "id"
        or field.type
        not in (*NUMBER_TYPES, *TEXT_TYPES, *DATE_TYPES) + ("boolean", "many2one")
    ):
        raise NotCompiled
    return field


def _value(field, value):
    """``value`` as the cache holds it, for a comparison with the column."""
    if field.type in NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NotCompiled
        return value
    if field.type in TEXT_TYPES:
        if not isinstance(value, str):
            raise NotCompiled
        return value
    if field.type == "many2one":
        if isinstance(value, bool) or not isinstance(value, int):
            raise NotCompiled  # a name: Odoo searches the comodel
        return value
    if field.type == "boolean":
        return bool(value)
    if field.type == "date":
        if isinstance(value, datetime.datetime):
            raise NotCompiled
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str) and len(value) == 10:
            return _parse(field, value)
        raise NotCompiled
    # datetime
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and len(value) in (10, 19):
        return _parse(field, value)
    raise NotCompiled


def _parse(field, value):
    try:
        if field.type == "date":
            return datetime.date.fromisoformat(value)
        return datetime.datetime.fromisoformat(value)
    except ValueError as e:
        raise NotCompiled from e


def _leaf(model, fname, operator, value, fnames):
    """One term, as ``_condition_to_sql`` writes it in SQL, on the column
    value as cached (None for NULL)."""
    field = _field(model, fname)
    fnames.add(fname)
    is_number = field.type in NUMBER_TYPES
    is_char = field.type in ("char", "text")
    if operator == "=?":
        if value is False or value is None:
            return lambda get: True
        operator = "="
    if operator in ("in", "not in"):
        return _leaf_in(field, fname, operator, value, is_number, is_char)
    if operator not in ("=", "!=", "<", "<=", ">", ">="):
        raise NotCompiled
    if field.type == "boolean":
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotCompiled
        wanted = bool(value) if operator == "=" else not bool(value)
        return lambda get: bool(get(fname)) == wanted
    if field.type == "many2one" and operator in ("=", "!=") and not value:
        value = False
    if operator in ("=", "!=") and (value is False or value is None):
        if is_number:
            value = 0
        elif is_char:
            value = ""
        elif operator == "=":
            return lambda get: get(fname) is None
        else:
            return lambda get: get(fname) is not None
    if operator in COMPARISONS and not (is_number or field.type in DATE_TYPES):
        raise NotCompiled  # texts compare by collation in PostgreSQL
    return _compare(fname, operator, value, _value(field, value), is_number, is_char)


def _reader(fname, is_number):
    """How a predicate reads the column: the cache holds NULL as None, and
    Odoo's SQL treats a NULL number as 0 (its "OR x IS NULL" clauses)."""
    if is_number:
        return lambda get: get(fname) or 0
    return lambda get: get(fname)


def _compare(fname, operator, value, wanted, is_number, is_char):
    """``=``, ``!=`` and the inequalities, with the NULL clauses of
    ``_condition_to_sql``."""
    read = _reader(fname, is_number)
    if is_char and wanted == "":
        # (x = '' OR x IS NULL), (x != ''): NULL and '' alike
        if operator == "=":
            return lambda get: not read(get)
        return lambda get: bool(read(get))
    if operator == "=":
        base = lambda get: read(get) == wanted  # noqa: E731
    elif operator == "!=":
        base = lambda get: (x := read(get)) is not None and x != wanted  # noqa: E731
    else:
        compare = COMPARISONS[operator]
        base = lambda get: (x := read(get)) is not None and compare(x, wanted)  # noqa: E731
    # _condition_to_sql adds "OR x IS NULL" to a negative term of a truthy
    # value (and to "= 0"); a NULL number read as 0 compares as SQL's extra
    # clause for numbers does.
    if operator in ("=", "!=") and bool(value) == (operator == "!=") and not is_number:
        return lambda get: read(get) is None or base(get)
    return base


def _leaf_in(field, fname, operator, value, is_number, is_char):
    read = _reader(fname, is_number)
    if isinstance(value, bool) or not isinstance(value, list | tuple):
        raise NotCompiled
    params = [it for it in value if it is not False and it is not None]
    check_null = len(params) < len(value)
    if field.type == "boolean":
        params = [True] if any(params) else []
        if check_null:
            params.append(False)
        wanted = set(params)
        if operator == "in":
            return lambda get: bool(read(get)) in wanted
        return lambda get: bool(read(get)) not in wanted
    if is_number:
        if check_null and 0 not in params:
            params.append(0)
    elif is_char:
        if check_null and "" not in params:
            params.append("")
        check_null = check_null or "" in params
    wanted = frozenset(_value(field, p) for p in params)
    if is_number:
        # a NULL number read as 0: "IN (..., 0) OR IS NULL" holds for it
        if operator == "in":
            return lambda get: read(get) in wanted
        return lambda get: read(get) not in wanted
    if is_char:
        # '' and NULL alike
        if operator == "in":
            return lambda get: (read(get) or "") in wanted
        return lambda get: (read(get) or "") not in wanted
    if operator == "in":
        if check_null:
            return lambda get: (x := read(get)) is None or x in wanted
        return lambda get: (x := read(get)) is not None and x in wanted
    if check_null:
        return lambda get: (x := read(get)) is not None and x not in wanted
    return lambda get: (x := read(get)) is None or x not in wanted
