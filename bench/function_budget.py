#!/usr/bin/env python3
"""What the time budget of functions costs (issue 12): a 10,000-iteration
loop run by plain ``safe_eval`` and by the functions' sandbox
(``runtime/sandbox.py``, ``run``: the watchdog's registration, no per-line cost),
and, for comparison, by the rejected alternative of a ``sys.settrace``
check on every line. Prints the median of each and the ratios to plain
``safe_eval``. No database: the sandbox is pure Python.

    python3 bench/function_budget.py [--repeat 201] [--iterations 10000]

The machine is shared: the runs alternate (plain, sandbox, trace, ...) and
rotate who goes first, so that each sees the same load; only the medians
and the ratios mean much.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time

from odoo.tools import safe_eval

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import addon_version  # noqa: E402


def load_sandbox():
    path = os.path.join(ROOT, "crm_workflow_automation", "runtime", "sandbox.py")
    spec = importlib.util.spec_from_file_location("sandbox", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def code_for(iterations):
    return (
        f"total = 0\nfor i in range({iterations}):\n    total += i * 2\nresult = total"
    )


def run_plain(code):
    context = {}
    safe_eval.safe_eval(code, context, mode="exec", nocopy=True, filename="bench")
    return context["result"]


def run_traced(code, budget=10.0):
    """The rejected design: a line tracer that checks the deadline."""
    deadline = time.monotonic() + budget

    def local(frame, event, arg):
        if time.monotonic() > deadline:
            raise TimeoutError
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == "bench" else None

    sys.settrace(tracer)
    try:
        return run_plain(code)
    finally:
        sys.settrace(None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=201)
    parser.add_argument("--iterations", type=int, default=10000)
    options = parser.parse_args()
    sandbox = load_sandbox()
    code = code_for(options.iterations)

    def run_sandbox(code):
        return sandbox.run(code, {}, filename="bench", budget=10.0)

    runners = {"safe_eval": run_plain, "sandbox": run_sandbox, "settrace": run_traced}
    expected = run_plain(code)
    times = {name: [] for name in runners}
    names = list(runners)
    for round_ in range(options.repeat):
        # a different one first in each round: no order favours one
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            runner = runners[name]
            started = time.perf_counter()
            assert runner(code) == expected
            times[name].append(time.perf_counter() - started)
    print(f"crm_workflow_automation {addon_version()}: function time budget")
    print(
        f"a {options.iterations:,}-iteration loop, median of {options.repeat} runs "
        "(shared, noisy machine: compare the ratios)"
    )
    base = statistics.median(times["safe_eval"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:10} {median * 1000:8.3f} ms   ratio {median / base:5.2f}x")
    started = time.monotonic()
    try:
        sandbox.run("while True:\n    pass", {}, filename="bench", budget=0.5)
    except sandbox.FunctionTimeout:
        print(
            f"an endless loop with a 0.5 s budget stopped after "
            f"{time.monotonic() - started:.3f} s"
        )


if __name__ == "__main__":
    main()
