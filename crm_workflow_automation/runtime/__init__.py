# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Plain Python the models run on, none of it an ORM model (as queue_job
keeps ``job.py`` and ``jobrunner/`` beside ``models/``): what an event and a
run are, the function sandbox, the guarded webhook transport, ``http`` of
functions, the retry policy, and what a runner batch did to its jobs."""
