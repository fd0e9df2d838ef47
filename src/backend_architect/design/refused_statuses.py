"""One status list per operation: a 403 stays only where a check of the operation answers it.

A pattern may loosen an operation after the API stage listed its errors (playback serves an optional token, a callback
takes a signature instead of a bearer token), leaving a 403 no check answers. The contract drops such a 403, so
design.md's API table and the hand-off, which read ``error_statuses``, must drop it too: the list is settled here, once,
from the same reasons the contract's 403 description is written from (``ir.refusals.operation_refusals``).
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture
from backend_architect.ir.refusals import operation_refusals
from backend_architect.spec.model import Spec

FORBIDDEN = 403


def derive_refused_statuses(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Drop the 403 of every operation no check refuses (``ir.refusals``); every other status stays as listed."""
    apis = []
    for api in arch.apis:
        ops = [
            op.model_copy(update={"error_statuses": [s for s in op.error_statuses if s != FORBIDDEN]})
            if FORBIDDEN in op.error_statuses and not operation_refusals(arch, api, op)
            else op
            for op in api.operations
        ]
        apis.append(api.model_copy(update={"operations": ops}))
    return arch.model_copy(update={"apis": apis})
