/** @odoo-module */
/* Appointment workflows seen by the salesperson: a meeting booked from the
   opportunity's Meeting button, and the confirmation the rule "Meeting
   booked: confirm to the customer" sent, in the opportunity's chatter. The
   rule, the template and the checks of the run log are in
   tests/test_ux_tours.py (TestMeetingTour). */

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_workflow_automation_meeting_booked", {
    steps: () => [
        {
            content: "the opportunity",
            trigger: ".o_breadcrumb .o_last_breadcrumb_item:contains(Office chairs)",
        },
        {
            content: "its Meeting smart button",
            trigger:
                ".o_form_view .o-form-buttonbox button[name=action_schedule_meeting]",
            run: "click",
        },
        {
            content: "the meetings as a list",
            trigger: ".o_calendar_view .o_switch_view.o_list",
            run: "click",
        },
        {trigger: ".o_list_view .o_list_button_add", run: "click"},
        {
            content: "a meeting named, at the default time",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tour site visit",
        },
        ...stepUtils.saveForm(),
        {
            content: "back to the opportunity",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Office chairs)",
            run: "click",
        },
        {
            content: "the opportunity again (its Meeting button)",
            trigger:
                ".o_form_view .o-form-buttonbox button[name=action_schedule_meeting]",
        },
        {
            content: "the confirmation in the chatter",
            trigger: ".o-mail-Message:contains('Your appointment: Tour site visit')",
        },
    ],
});
