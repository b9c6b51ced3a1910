from . import crm_workflow_function_call
from . import crm_workflow_function_call_line
from . import crm_workflow_function_test
from . import crm_workflow_preview
from . import crm_workflow_preview_line
from . import crm_workflow_test_run
from . import crm_workflow_test_run_line
