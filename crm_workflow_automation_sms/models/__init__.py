from . import crm_workflow_action_sms
