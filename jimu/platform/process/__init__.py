"""Durable processes: instances, tokens, tasks and timers as rows (see docs/process.md).

Each step is one transaction: the engine's delta (instance columns and token rows), the tasks
and timers its effects create or withdraw, and a step row (the trace). ``instances`` holds the
operations, ``effects`` carries out a step's effects (tasks with their people, cc, service
actions, sub-processes), ``approvers`` looks up who a task's entries name, ``actions`` the
approval actions (return, transfer, add a signer, withdraw, urge, comment), ``timers`` the
due-timer claiming the rule worker also runs, ``starter`` the ``start_process`` hook of rules.
"""
