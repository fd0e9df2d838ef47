"""The deployment shape, read once: whether the services are modules of one deployable.

Every section that sizes, calls or fails a part of the system asks here, so a modular monolith's
modules read as modules everywhere (its deployable is sized, its modules are shares of it; a call
between modules is a function call; a module fails with its deployable) while services stay
services. Nothing here is a decision: the boundaries stage decides the shape (``arch.deployment``).
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture


def one_deployable(arch: Architecture) -> bool:
    """Whether every service is a module of one deployable (a modular monolith).

    Why one reader: a section that asked "is it a monolith?" its own way sized modules as services
    beside a deployable sized for all of them (issue 22, class l2).

    >>> one_deployable(Architecture(system="s", deployment="modular-monolith"))
    True
    >>> one_deployable(Architecture(system="s", deployment="microservices"))
    False
    """
    return arch.deployment == "modular-monolith"


def part_noun(arch: Architecture) -> str:
    """What one part is called: ``module`` of a modular monolith, else ``service``.

    >>> part_noun(Architecture(system="s", deployment="modular-monolith")), part_noun(Architecture(system="s"))
    ('module', 'service')
    """
    return "module" if one_deployable(arch) else "service"


def called_part_fails_alone(arch: Architecture) -> bool:
    """Whether a synchronous call on another part can fail while the caller runs: only across deployables.

    Why: a module runs in its caller's process, so it is up whenever the caller is; its loss is the
    deployable's, already counted once (the instances), and never a row of its own in the failure table
    nor a factor of its own in a request's availability. Its database or an external it calls can still fail.
    """
    return not one_deployable(arch)


def with_owner_in_path(composite: float, *, in_process: bool) -> float:
    """The availability of a request that also needs another part: the product of both parts' composites across
    deployables, the caller's own within one deployable (the owner is the same process: no second factor).

    >>> with_owner_in_path(0.99, in_process=False), with_owner_in_path(0.99, in_process=True)
    (0.9801, 0.99)
    """
    return composite if in_process else composite * composite


def owner_in_path_said(what: str, owner: str, composite: float, target: float, *, in_process: bool) -> str:
    """The sentence stating a request's availability with ``owner`` in its path against the target, as the product it is
    across deployables, or as the one deployable's own where ``owner`` is a module of it (never a product of modules).

    >>> owner_in_path_said("write", "users", 0.9999, 0.999, in_process=False)
    'the write with users in its path: 99.9900% x 99.9900% = 99.9800% >= the 99.90% target'
    >>> owner_in_path_said("write", "users", 0.9999, 0.999, in_process=True)
    'the write with users in its path: users runs in the same deployable (an in-process call), so 99.9900% >= the 99.90% target'
    """
    both = with_owner_in_path(composite, in_process=in_process)
    compared = ">=" if both >= target else "<"
    if in_process:
        same = f"{owner} runs in the same deployable (an in-process call)"
        return f"the {what} with {owner} in its path: {same}, so {both:.4%} {compared} the {target:.2%} target"
    return f"the {what} with {owner} in its path: {composite:.4%} x {composite:.4%} = {both:.4%} {compared} the {target:.2%} target"


def call_said(in_process: bool, calls: int = 1) -> str:
    """How a flow's text names the calls on another part: a function call within one deployable, a query over the network
    across deployables (a module's reads of another are never said to be remote queries); several, one per id checked.

    >>> call_said(True), call_said(False), call_said(False, 2)
    ('one in-process call', 'one synchronous query', '2 synchronous queries (one per id, in parallel)')
    """
    if calls == 1:
        return "one in-process call" if in_process else "one synchronous query"
    return f"{calls} in-process calls (one per id)" if in_process else f"{calls} synchronous queries (one per id, in parallel)"


def call_each(in_process: bool) -> str:
    """What a step checking several ids on one part says of its calls: one per id, as the callee's operation takes one.

    Why: the owner serves, and its database reads, one request per id; a step naming the ids and one operation would read
    as one call (issue 22, class q3).

    >>> call_each(True), call_each(False)
    ('one in-process call per id', 'one call per id, in parallel')
    """
    return "one in-process call per id" if in_process else "one call per id, in parallel"
