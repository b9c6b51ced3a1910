/** @odoo-module */
/* What a sales admin does first: a Big Deal Alert built in the rule form
   (its criteria then read in words), "Why did it (not) fire?" on a lead, and
   a function's Test button. The effects are checked by tests/test_ux_tours.py. */

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const dialog = ".o_dialog:not(.o_inactive_modal)";

function type(field, text, where = dialog) {
    return {
        trigger: `${where} .o_field_widget[name=${field}] input`,
        run: `edit ${text}`,
    };
}

registry.category("web_tour.tours").add("crm_workflow_automation_big_deal_alert", {
    steps: () => [
        {content: "a new rule", trigger: ".o_list_button_add", run: "click"},
        type("name", "Tour Big Deal Alert", ".o_form_view"),
        {
            content: "add a condition",
            trigger:
                ".o_form_view .o_field_widget[name=condition_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        type("name", "Big deals"),
        {trigger: `${dialog} .o_field_domain_dialog_button`, run: "click"},
        {
            content: "the criteria in the code editor",
            trigger: `${dialog} .o_domain_selector_debug_container textarea`,
            async run(helpers) {
                await helpers.edit(
                    '[("expected_revenue", ">", 50000), ("probability", ">", 70)]'
                );
                this.anchor.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {trigger: `${dialog} .modal-footer .btn-primary`, run: "click"},
        {
            trigger: `${dialog} .o_field_widget[name=domain]:contains("Expected Revenue")`,
        },
        {
            content: "an instant action: notify users",
            trigger: `${dialog} .o_field_widget[name=instant_action_ids] .o_field_x2many_list_row_add a`,
            run: "click",
        },
        {
            trigger: `${dialog} .o_field_widget[name=action_type] select`,
            run: 'select "notify"',
        },
        type("user_ids", "Tour Big Deal Manager"),
        {
            trigger: `${dialog} .o-autocomplete--dropdown-item:contains("Tour Big Deal Manager"):first`,
            run: "click",
        },
        {trigger: `${dialog} .o_form_button_save`, run: "click"},
        {trigger: `${dialog} .o_data_row:contains("Notify Users")`},
        {
            content: "save the condition",
            trigger: `${dialog} .o_form_button_save`,
            run: "click",
        },
        {
            content: "the condition list shows the criteria in words",
            trigger:
                '.o_field_widget[name=condition_ids] .o_data_row:contains("Big deals"):contains("Expected Revenue > 50000 and Probability > 70")',
        },
        ...stepUtils.saveForm(),
        {
            content: "Preview, Test run and Usage come after the conditions",
            trigger: ".o_form_view div[name=try_and_usage] button[name=action_preview]",
        },
    ],
});

registry.category("web_tour.tours").add("crm_workflow_automation_explain", {
    steps: () => [
        {trigger: ".o_form_view .o_field_widget[name=name]"},
        {
            content: "the Why (not)? button of the lead",
            trigger: ".o_form_view .o-form-buttonbox button:has(.fa-question-circle)",
            run: "click",
        },
        {
            content: "the verdict of the rule",
            trigger: `${dialog} .o_data_row:contains("Tour explain rule"):contains("Verdict")`,
        },
        {trigger: `${dialog} .modal-footer button:contains(Close)`, run: "click"},
        {trigger: "body:not(:has(.modal))"},
    ],
});

registry.category("web_tour.tours").add("crm_workflow_automation_function_test", {
    steps: () => [
        {trigger: ".o_form_view .o_form_button_create"},
        {
            content: "Test",
            trigger: ".o_form_view button[name=action_open_test]",
            run: "click",
        },
        {trigger: `${dialog} button[name=action_run]`, run: "click"},
        {
            content: "the result",
            trigger: `${dialog} .o_field_widget[name=result]:contains(tour-answer-42)`,
        },
        {trigger: `${dialog} .modal-footer button:contains(Close)`, run: "click"},
        {trigger: "body:not(:has(.modal))"},
    ],
});
