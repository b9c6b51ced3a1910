#!/usr/bin/env bash
# The project's Python: the .venv that tools/setup_odoo.sh made (when the
# machine's Python does not import Odoo 18.0), else BASE_PYTHON (python3).
# A script rather than a Makefile variable so that the .venv made in the middle
# of a `make test` is used by the rest of that same run.
venv_python="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python"
if [ -x "$venv_python" ]; then
    exec "$venv_python" "$@"
fi
exec "${BASE_PYTHON:-python3}" "$@"
