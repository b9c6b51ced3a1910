from . import crm_workflow_record_access_mixin
from . import crm_workflow_run_owner_mixin
from . import crm_workflow_working_time_mixin
from . import crm_workflow_no_reply_mixin
from . import crm_workflow_trigger_type_mixin
from . import crm_workflow_version_part_mixin
from . import crm_workflow_versioned_mixin
from . import crm_workflow_version
from . import crm_workflow_pending_job_mixin
from . import crm_workflow_rule

# the rule trigger types, each as a further module would add one (this order
# is the order of the "Trigger" list)
from . import crm_workflow_rule_on_create
from . import crm_workflow_rule_on_write
from . import crm_workflow_rule_on_create_or_write
from . import crm_workflow_rule_on_unlink
from . import crm_workflow_rule_on_date
from . import crm_workflow_rule_on_message_received
from . import crm_workflow_rule_on_message_sent
from . import crm_workflow_rule_on_activity_done

from . import crm_workflow_rule_design
from . import crm_workflow_condition
from . import crm_workflow_action

# the action types, each as a further module would add one (this order is the
# order of the "Action" list)
from . import crm_workflow_action_document
from . import crm_workflow_action_email
from . import crm_workflow_action_activity
from . import crm_workflow_action_field_update
from . import crm_workflow_action_webhook
from . import crm_workflow_action_function
from . import crm_workflow_action_assign_owner
from . import crm_workflow_action_tags
from . import crm_workflow_action_set_stage
from . import crm_workflow_action_convert
from . import crm_workflow_action_notify
from . import crm_workflow_action_add_followers
from . import crm_workflow_action_server_action
from . import crm_workflow_action_request_info

# sub-models of actions (not types): a function's arguments, the fields a
# request for information asks for
from . import crm_workflow_action_argument
from . import crm_workflow_action_request_field

from . import crm_workflow_stage_automation_mixin
from . import crm_workflow_robot
from . import crm_workflow_trigger

# the stage-trigger types, in the order of the "When" list
from . import crm_workflow_trigger_field_match
from . import crm_workflow_trigger_email_received
from . import crm_workflow_trigger_email_sent
from . import crm_workflow_trigger_activity_done
from . import crm_workflow_trigger_webhook
from . import crm_workflow_trigger_inactivity
from . import crm_workflow_trigger_won
from . import crm_workflow_trigger_lost
from . import crm_workflow_engine
from . import crm_workflow_engine_matcher
from . import crm_workflow_engine_stage
from . import crm_workflow_engine_isolation
from . import crm_workflow_engine_log
from . import crm_workflow_function
from . import crm_workflow_function_argument
from . import crm_workflow_function_schedule
from . import crm_workflow_run
from . import crm_workflow_run_daily
from . import crm_workflow_rule_done
from . import crm_workflow_job
from . import crm_workflow_job_runner
from . import crm_workflow_job_wake
from . import crm_workflow_job_working_time
from . import crm_workflow_job_webhook
from . import crm_workflow_job_robot
from . import crm_workflow_job_trigger
from . import crm_workflow_job_attempt
from . import crm_workflow_job_pinned

# trigger types that extend the engine or the job queue come after them (they
# end the "Trigger" and "When" lists)
from . import crm_workflow_rule_on_email_bounced
from . import crm_workflow_rule_on_email_not_answered
from . import crm_workflow_trigger_email_bounced
from . import crm_workflow_trigger_email_not_answered

from . import crm_workflow_activity_value
from . import mail_activity
from . import mail_render_mixin
from . import res_config_settings
from . import ir_cron
from . import crm_lead
from . import crm_team
from . import crm_stage
from . import res_users
from . import res_company
from . import ir_model

# meetings of opportunities: the event source, the jobs at a meeting's
# moments, and the meeting trigger types (one file each)
from . import calendar_event
from . import crm_workflow_job_meeting
from . import crm_workflow_rule_meeting
from . import crm_workflow_rule_on_meeting_booked
from . import crm_workflow_rule_on_meeting_rescheduled
from . import crm_workflow_rule_on_meeting_cancelled
from . import crm_workflow_rule_on_meeting_before
from . import crm_workflow_rule_on_meeting_held
from . import crm_workflow_trigger_meeting
from . import crm_workflow_trigger_meeting_booked
from . import crm_workflow_trigger_meeting_held
from . import crm_workflow_trigger_meeting_cancelled
