from . import crm_workflow_export
