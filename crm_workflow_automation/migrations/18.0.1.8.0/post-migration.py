# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The job side's columns of 18.0.1.8.0, for what older releases left:
- the runner crons are marked by ``ir.cron.crm_workflow_runner``, not by the
  text of their code (their data is ``noupdate``: the XML does not set it);
- a job knows the event that queued it (``origin_event_uid``), which older
  releases kept only as the last part of the idempotency key
  (``<action>:<model>:<id>:<event>`` and ``robot:<robot>:<id>:<event>``)."""


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_cron c
              SET crm_workflow_runner = substring(s.code from 'runner=(\\d+)')::int
             FROM ir_act_server s
            WHERE s.id = c.ir_actions_server_id
              AND s.code ~ '^\\s*model\\._cron_run_due_jobs\\(runner=\\d+\\)\\s*$'
              AND COALESCE(c.crm_workflow_runner, 0) = 0"""
    )
    cr.execute(
        """UPDATE crm_workflow_job
              SET origin_event_uid = split_part(idempotency_key, ':', 4)
            WHERE origin_event_uid IS NULL
              AND job_type IN ('action', 'robot')
              AND split_part(idempotency_key, ':', 4) != ''"""
    )
