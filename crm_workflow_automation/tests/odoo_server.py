# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own WSGI application served on 127.0.0.1 from a thread, on the
test's cursor (the registry's test mode, as HttpCase does), so that HTTP
tests run under pytest-odoo and under ``odoo --test-enable --no-http``
alike: the requests are real HTTP, handled in a server thread."""

import threading

from werkzeug.serving import make_server

import odoo.http


class OdooServer:
    def __init__(self, registry, cr):
        self.registry = registry
        self.cr = cr

    def __enter__(self):
        self.registry.enter_test_mode(self.cr)
        self.server = make_server("127.0.0.1", 0, odoo.http.root, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        self.registry.leave_test_mode()
        return False
