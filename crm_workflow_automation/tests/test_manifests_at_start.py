# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The web client's parallel first requests parse no manifest: the add-on's
post_load read them all at start, in one thread. CPython 3.11.0 to 3.11.7
(Debian 12's 3.11.2) can fail when threads parse Python at once (gh-106905):
an error 500 on the assets, a browser tour that times out. That failure is
random (a garbage collection must give way to another thread in the middle
of a parse), so the test asserts what prevents it, on any Python: once
post_load has run, threads read manifests from Odoo's cache, parsing none."""

import os
import threading

import odoo
from odoo import http
from odoo.modules import module
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestManifestsAtStart(TransactionCase):
    def cold_start(self):
        """The process as Odoo starts it: no manifest read, no static path."""
        vars(http.root).pop("statics", None)
        module._get_manifest_cached.cache_clear()

    def run_post_load(self):
        """What Odoo does when it first imports the add-on."""
        name = "crm_workflow_automation"
        hook = module.get_manifest(name)["post_load"]
        self.assertTrue(hook, "the manifest declares no post_load")
        getattr(odoo.addons.crm_workflow_automation, hook)()

    def first_requests_in_parallel(self, count=8):
        """What the browser's first requests make Odoo's HTTP threads do: find
        the static files (root.statics) and the bundles' manifests (ir.asset).
        Returns the errors the threads met."""
        names = [n for path in odoo.addons.__path__ for n in sorted(os.listdir(path))]
        errors = []
        start = threading.Barrier(count)

        def request():
            start.wait()
            try:
                _statics = http.root.statics  # a lazy property: reading fills it
                for name in names:
                    module.get_manifest(name)
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=request) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    def test_parallel_first_requests_parse_no_manifest(self):
        self.cold_start()
        self.addCleanup(self.run_post_load)
        self.run_post_load()
        parsed = module._get_manifest_cached.cache_info().misses

        errors = self.first_requests_in_parallel()

        self.assertEqual(errors, [])
        self.assertEqual(
            module._get_manifest_cached.cache_info().misses,
            parsed,
            "the HTTP threads parsed manifests that post_load had not read",
        )
        self.assertIn("crm_workflow_automation", http.root.statics)
