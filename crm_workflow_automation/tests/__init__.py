from . import test_foundation
from . import test_rules
from . import test_jobs
from . import test_webhooks
from . import test_actions
from . import test_new_rule_form
from . import test_secrets
from . import test_faults_webhooks
