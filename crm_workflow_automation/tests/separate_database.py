# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A test that needs a database of its own (an install or an uninstall cannot
run inside a test's transaction): Odoo run as a command on it, step by step.
Used by the add-ons that prove the extension points (SMS, calls)."""

import os
import subprocess
import sys

from odoo.tests import TransactionCase
from odoo.tools import config


class SeparateDatabaseCase(TransactionCase):
    def odoo(self, db, *args, script=None):
        """``odoo`` (``odoo shell`` when a ``script`` is given) on ``db``."""
        command = [sys.executable, "-m", "odoo"]
        if script is not None:
            command.append("shell")
        command += [
            "-d",
            db,
            f"--addons-path={config['addons_path']}",
            "--no-http",
            "--log-level=warn",
            *args,
        ]
        return subprocess.run(
            command,
            input=script,
            capture_output=True,
            text=True,
            env=dict(os.environ),
            check=False,
        )

    def run_steps(self, suffix, steps):
        """Run ``steps`` [(name, odoo arguments, shell script or None, the
        word the script prints when its checks passed)] on a new database
        ``<test database>_<suffix>``, dropped at the end. A step without a
        script must log no ERROR."""
        db = f"{self.env.cr.dbname}_{suffix}"
        subprocess.run(["dropdb", "--if-exists", db], check=True)
        try:
            for name, args, script, expected in steps:
                if script is None:
                    args = [*args, "--stop-after-init"]
                done = self.odoo(db, *args, script=script)
                output = done.stdout[-2000:] + done.stderr[-3000:]
                self.assertEqual(done.returncode, 0, f"{name}: {output}")
                if expected:
                    self.assertIn(expected, done.stdout, f"{name}: {output}")
                else:
                    self.assertNotIn(" ERROR ", done.stderr, f"{name}: {output}")
        finally:
            subprocess.run(["dropdb", "--if-exists", db], check=False)
