from . import test_phonecall_triggers
from . import test_uninstall
