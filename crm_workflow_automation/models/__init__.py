from . import crm_workflow_record_access_mixin
from . import crm_workflow_rule
from . import crm_workflow_condition
from . import crm_workflow_action

# the action types, each as a further module would add one (this order is the
# order of the "Action" list)
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
from . import crm_workflow_stage_automation_mixin
from . import crm_workflow_robot
from . import crm_workflow_trigger
from . import crm_workflow_engine
from . import crm_workflow_run
from . import crm_workflow_job
from . import crm_workflow_job_runner
from . import crm_workflow_job_webhook
from . import crm_workflow_job_robot
from . import crm_workflow_job_attempt
from . import mail_activity
from . import res_config_settings
from . import ir_cron
from . import crm_lead
from . import crm_team
from . import crm_stage
