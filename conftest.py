"""pytest-odoo glue for Odoo 18 (see README, 'Tests').

Two traps of pytest-odoo 2.3.0 on Odoo 18 are handled here:

* Odoo 18 only fakes SMTP when ``odoo.modules.module.current_test`` is set,
  which pytest-odoo does for Odoo >= 19 only: without it a test that sends an
  email would try a real SMTP connection.
* Odoo blocks outgoing HTTP inside ``BaseCase`` classes only; we block it for
  the whole session, except to 127.0.0.1/localhost where the tests run their
  own receivers.
"""

import importlib

import pytest
import requests

import odoo

# pytest-odoo imports odoo.tests before it enables test mode, and Odoo logs
# that as an ERROR ("Importing test framework ... not running in test mode"):
# import it first, in test mode. pytest-odoo's own configuration comes after.
odoo.tools.config["test_enable"] = True
importlib.import_module("odoo.tests.common")
odoo.tools.config["test_enable"] = False

_send = requests.Session.send


def _loopback_only_send(session, request, **kwargs):
    host = requests.utils.urlparse(request.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise requests.exceptions.ConnectionError(
            f"Outgoing HTTP is blocked in tests (was {request.method} {request.url})"
        )
    return _send(session, request, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _block_outgoing_http():
    requests.Session.send = _loopback_only_send
    yield
    requests.Session.send = _send


@pytest.fixture(autouse=True)
def _odoo_current_test(request):
    odoo.modules.module.current_test = request.node.name
    yield
    odoo.modules.module.current_test = False
