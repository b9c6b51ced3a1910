from . import test_sms_action
from . import test_extension_point
from . import test_robot_sms
from . import test_export_sms
