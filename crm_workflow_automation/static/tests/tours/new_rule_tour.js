/** @odoo-module */
/* A sales admin creates a rule from the New button and saves it once: the
   trigger, a condition with criteria, a Field Update action (typing
   "Priority" in Field to update) and a Task action, all unsaved until the
   end. The effects on a lead are checked by tests/test_tour.py. */

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const dialog = ".o_dialog:not(.o_inactive_modal)";

function type(field, text, where = dialog) {
    return {
        trigger: `${where} .o_field_widget[name=${field}] input`,
        run: `edit ${text}`,
    };
}

function pick(field, text) {
    return [
        type(field, text),
        {
            content: `pick ${text}`,
            trigger: `${dialog} .o-autocomplete--dropdown-item:contains("${text}"):first`,
            run: "click",
        },
    ];
}

function addLine(field, where = dialog) {
    return {
        content: `add a line to ${field}`,
        trigger: `${where} .o_field_widget[name=${field}] .o_field_x2many_list_row_add a`,
        run: "click",
    };
}

function addAction(actionType) {
    return [
        addLine("instant_action_ids"),
        {
            trigger: `${dialog} .o_field_widget[name=action_type] select`,
            run: `select "${actionType}"`,
        },
    ];
}

function saveDialog(shown) {
    // the dialog is saved, and the one below it lists the new line
    return [
        {trigger: `${dialog} .o_form_button_save`, run: "click"},
        {trigger: `${dialog} .o_data_row:contains("${shown}")`},
    ];
}

registry.category("web_tour.tours").add("crm_workflow_automation_new_rule", {
    steps: () => [
        {content: "a new rule", trigger: ".o_list_button_add", run: "click"},
        type("name", "Hot leads from the tour", ".o_form_view"),
        {
            trigger: ".o_form_view .o_field_widget[name=trigger] select",
            run: 'select "on_create"',
        },
        addLine("condition_ids", ".o_form_view"),
        type("name", "Likely to close"),
        {
            content: "edit the criteria",
            trigger: `${dialog} .o_field_domain_dialog_button`,
            run: "click",
        },
        {
            content: "type the criteria in the code editor (read on change)",
            trigger: `${dialog} .o_domain_selector_debug_container textarea`,
            async run(helpers) {
                await helpers.edit('[("probability", ">=", 50)]');
                this.anchor.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            content: "confirm the criteria",
            trigger: `${dialog} .modal-footer .btn-primary`,
            run: "click",
        },
        {
            content: "the condition shows its criteria",
            trigger: `${dialog} .o_field_widget[name=domain]:contains("Probability")`,
        },
        ...addAction("field_update"),
        ...pick("update_field_id", "Priority"),
        ...pick("update_selection_value", "Very High"),
        ...saveDialog("Field Update"),
        ...addAction("activity"),
        ...pick("activity_type_id", "To-Do"),
        type("activity_summary", "Call the hot lead"),
        ...saveDialog("Task"),
        {
            content: "save the condition",
            trigger: `${dialog} .o_form_button_save`,
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=condition_ids] .o_data_row:contains(Likely to close)",
        },
        ...stepUtils.saveForm(),
    ],
});
