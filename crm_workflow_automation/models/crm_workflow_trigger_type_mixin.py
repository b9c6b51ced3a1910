# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class CrmWorkflowTriggerTypeMixin(models.AbstractModel):
    """The plug-in point of trigger types, shared by the rules (field
    ``trigger``) and the stage triggers (field ``trigger_type``): a type is a
    selection value whose ``_trigger_<hook>_<type>`` methods the core asks
    (readme/DEVELOP.md, "Add a trigger type")."""

    _name = "crm.workflow.trigger.type.mixin"
    _description = "Workflow trigger types"
    # the selection field whose values are the types
    _trigger_type_field = None

    def _trigger_hook(self, hook, key=None):
        """The ``_trigger_<hook>_<key>`` method of a trigger type (the
        record's own when ``key`` is not given), or None when the type has
        none."""
        return getattr(
            self, f"_trigger_{hook}_{key or self[self._trigger_type_field]}", None
        )

    @api.model
    def _trigger_keys(self):
        return self._fields[self._trigger_type_field].get_values(self.env)

    @api.model
    def _trigger_event_labels(self):
        """{engine event kind: words for the run log} of every type."""
        labels = {}
        for key in self._trigger_keys():
            hook = self._trigger_hook("event_labels", key)
            labels.update(hook() if hook else {})
        return labels

    def _trigger_icon(self):
        hook = self._trigger_hook("icon")
        return hook() if hook else "fa-bolt"
