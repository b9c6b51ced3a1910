from . import crm_workflow_function_call
from . import crm_workflow_function_call_line
from . import crm_workflow_function_test
