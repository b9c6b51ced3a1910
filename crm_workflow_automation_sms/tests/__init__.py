from . import test_sms_action
from . import test_extension_point
