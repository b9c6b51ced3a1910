/** @odoo-module **/
import {registry} from "@web/core/registry";

// From the pipeline, open the automation board, drag a trigger above the
// other one of its column, and add a robot (a task) to the "Tour Documents"
// stage.
registry.category("web_tour.tours").add("crm_workflow_automation_board", {
    url: "/odoo/action-crm.crm_lead_action_pipeline",
    steps: () => [
        {trigger: ".o_kanban_view .o_cwa_open_board", run: "click"},
        {
            trigger:
                ".o_cwa_column:contains('Tour New') .o_cwa_trigger:contains('Tour Second')",
            run: "drag_and_drop .o_cwa_column:contains('Tour New') .o_cwa_trigger:contains('Tour First')",
        },
        {
            trigger:
                ".o_cwa_column:contains('Tour New') .o_cwa_trigger:first:contains('Tour Second')",
        },
        {
            trigger: ".o_cwa_column:contains('Tour Documents') .o_cwa_add_robot",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='action_type'] select",
            run: 'select "activity"',
        },
        {
            trigger: ".modal .o_field_widget[name='activity_type_id'] input",
            run: "edit To-Do",
        },
        {trigger: ".ui-autocomplete a:contains('To-Do')", run: "click"},
        {trigger: ".modal .o_form_button_save", run: "click"},
        {
            trigger:
                ".o_cwa_column:contains('Tour Documents') .o_cwa_robot:contains('immediately')",
        },
    ],
});
