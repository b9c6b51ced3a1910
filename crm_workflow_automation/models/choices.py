# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Selection values checked before the ORM sees them: it would refuse an
unknown one with a bare ValueError, a traceback to the user."""


def unknown_choice_problem(model, vals):
    """The sentence that refuses the first value of ``vals`` that is not a
    choice of its selection field of ``model``, or None."""
    env = model.env
    for fname, value in vals.items():
        field = model._fields.get(fname)
        if not value or field is None or field.type != "selection":
            continue
        choices = dict(field._description_selection(env))
        if isinstance(value, str) and value in choices:
            continue
        return env._(
            "“%(value)s” is not a choice of “%(field)s”; choose one of: %(choices)s.",
            value=value,
            field=field._description_string(env),
            choices=", ".join(f"{key} ({label})" for key, label in choices.items()),
        )
    return None
