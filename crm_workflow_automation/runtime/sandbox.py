# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run a function's code in Odoo's sandbox (``safe_eval``) within a time budget.

Odoo runs code in threads, which signals do not reach: one watchdog thread
per process raises ``FunctionTimeout`` (a ``BaseException`` the code cannot
catch or swallow) in a call that overruns its deadline. A running call costs
only the registration of its deadline. How and why, and what is not bounded:
readme/DEVELOP.md, "The time budget".
"""

import ast
import ctypes
import functools
import math
import os
import threading
import time

from odoo.tools import safe_eval

REFIRE_INTERVAL = 0.05

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


class FunctionTimeout(BaseException):
    """Raised asynchronously in a thread whose function overran its budget
    (a BaseException: the function's own ``except Exception`` does not catch it)."""


class _Call:
    __slots__ = ("deadline", "fired", "guard", "stopped", "tid")

    def __init__(self, budget):
        self.tid = threading.get_ident()
        self.deadline = time.monotonic() + budget
        self.fired = 0
        self.stopped = False
        self.guard = threading.Lock()


class _Watchdog:
    """One daemon thread per process, sleeping until the nearest deadline."""

    def __init__(self):
        self.condition = threading.Condition()
        self.calls = set()
        self.thread = None
        self.pid = None
        self.next_wake = math.inf

    def start(self, budget):
        call = _Call(budget)
        with self.condition:
            if self.pid != os.getpid() or not self.thread.is_alive():
                # a prefork worker does not inherit the threads of its parent
                self.pid = os.getpid()
                self.thread = threading.Thread(
                    target=self._loop, name="crm_workflow_function_budget", daemon=True
                )
                self.thread.start()
            self.calls.add(call)
            if call.deadline < self.next_wake:
                self.condition.notify()
        return call

    def forget(self, call):
        with self.condition:
            self.calls.discard(call)

    def _loop(self):
        with self.condition:
            while True:
                now = time.monotonic()
                wait = math.inf
                for call in list(self.calls):
                    if call.deadline <= now:
                        with call.guard:
                            if call.stopped:
                                self.calls.discard(call)
                                continue
                            call.fired += 1
                            _set_async_exc(
                                ctypes.c_ulong(call.tid),
                                ctypes.py_object(FunctionTimeout),
                            )
                        call.deadline = now + REFIRE_INTERVAL
                    wait = min(wait, call.deadline - now)
                self.next_wake = now + wait
                self.condition.wait(None if wait == math.inf else wait)


WATCHDOG = _Watchdog()


class _SwallowFinder(ast.NodeVisitor):
    def __init__(self):
        self.problem = None
        self.in_finally = 0

    def _visit_try(self, node):
        for child in node.body + node.handlers + node.orelse:
            self.visit(child)
        self.in_finally += 1
        for child in node.finalbody:
            self.visit(child)
        self.in_finally -= 1

    visit_Try = visit_TryStar = _visit_try

    def _visit_exit(self, node):
        if self.in_finally and self.problem is None:
            self.problem = ("finally", node.lineno)

    visit_Return = visit_Break = visit_Continue = _visit_exit

    def _visit_scope(self, node):
        # a function defined in a finally has its own returns
        saved, self.in_finally = self.in_finally, 0
        self.generic_visit(node)
        self.in_finally = saved

    visit_FunctionDef = visit_Lambda = _visit_scope


@functools.lru_cache(maxsize=256)
def compile_problem(code):
    """Why safe_eval refuses ``code`` (its message), or False; cached, as a
    function's code is checked before each call."""
    try:
        return safe_eval.test_python_expr(code, mode="exec")
    except NameError as e:  # a forbidden name (``__class__``) is raised
        return str(e)


def expression_problem(expression):
    """Why safe_eval refuses the expression (its message), or False: a syntax
    error, a forbidden opcode (``STORE_ATTR``) or a forbidden name
    (``__class__``, raised rather than returned)."""
    try:
        return safe_eval.test_python_expr((expression or "").strip(), mode="eval")
    except NameError as e:
        return str(e)


def unknown_names(expression, names):
    """The names an expression (that safe_eval accepts) reads that are neither
    in ``names`` nor among the sandbox's builtins, nor bound in it (a
    comprehension's variable): ``open`` compiles, and fails at every run."""
    loaded, bound = set(), set()
    for node in ast.walk(ast.parse(expression.strip(), mode="eval")):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):  # a lambda's parameters
            bound.add(node.arg)
    return sorted(loaded - bound - set(names) - set(safe_eval._BUILTINS))


@functools.lru_cache(maxsize=256)
def swallowing_construct(code):
    """(kind, line) of the first construct that could swallow the time
    budget's exception: a ``return``, ``break`` or ``continue`` in a
    ``finally`` ("finally"); None if none or if the code does not parse
    (safe_eval reports that)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    finder = _SwallowFinder()
    finder.visit(tree)
    return finder.problem


@functools.lru_cache(maxsize=256)
def catch_errors_only(code):
    """``code`` with each bare ``except:`` written ``except Exception:``, on
    the same line, so that it cannot catch the budget's ``FunctionTimeout``
    (a ``BaseException``); the code as written if it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return code
    bare = [
        (node.lineno, node.col_offset)
        for node in ast.walk(tree)
        if isinstance(node, ast.ExceptHandler) and node.type is None
    ]
    if not bare:
        return code
    lines = code.splitlines(keepends=True)
    for lineno, offset in sorted(bare, reverse=True):
        # col_offset counts UTF-8 bytes; it points at the keyword ``except``
        line = lines[lineno - 1].encode()
        end = offset + len(b"except")
        lines[lineno - 1] = (line[:end] + b" Exception" + line[end:]).decode()
    return "".join(lines)


def run(code, context, *, filename, budget):
    """Execute ``code`` with the globals ``context`` (modified in place) and
    return ``context["result"]``; raise ``FunctionTimeout`` when it ran
    longer than ``budget`` seconds."""
    call = WATCHDOG.start(budget)
    try:
        try:
            safe_eval.safe_eval(
                catch_errors_only(code),
                context,
                mode="exec",
                nocopy=True,
                filename=filename,
            )
        finally:
            # Inline, no function call before the flag is set: a timeout
            # delivered here must not leave the watchdog armed.
            with call.guard:
                call.stopped = True
            if call.fired:
                _set_async_exc(ctypes.c_ulong(call.tid), None)  # drop a pending one
    except FunctionTimeout:
        WATCHDOG.forget(call)
        raise
    WATCHDOG.forget(call)
    return context.get("result")
