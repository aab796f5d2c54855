"""The process engine (pure): flow documents, graph checks, token semantics.

``load_flow(doc)`` checks and compiles a flow; ``step(flow, state, event, record)`` applies one
event to an instance's state and returns the new state, the delta to persist, the effects to
carry out and the trace. No I/O: persistence, tasks and timers live in jimu/platform/process/.
See docs/process.md.
"""

from jimu.engines.process.document import NODE_KINDS, flow_errors, flow_properties
from jimu.engines.process.engine import EVENT_TYPES, ProcessError, Step, step
from jimu.engines.process.flow import Flow, load_flow
from jimu.engines.process.state import apply_delta, diff_states, new_state

__all__ = [
    "EVENT_TYPES",
    "NODE_KINDS",
    "Flow",
    "ProcessError",
    "Step",
    "apply_delta",
    "diff_states",
    "flow_errors",
    "flow_properties",
    "load_flow",
    "new_state",
    "step",
]
