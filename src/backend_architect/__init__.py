"""backend-architect: design backend systems from a compact spec, and review what exists.

Typical use::

    from backend_architect import design_file, write_files
    result = design_file("examples/bookstore.yaml")   # raises InputError on a bad spec
    write_files(result.files, "out/")
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

#: Where each public name lives. Names load on first use (PEP 562), so ``import backend_architect``
#: and a review do not import the design pipeline and SQLAlchemy they do not need.
_EXPORTS = {
    "DesignResult": "backend_architect.api",
    "DiffResult": "backend_architect.diff.model",
    "ReviewResult": "backend_architect.api",
    "design_file": "backend_architect.api",
    "design_spec": "backend_architect.api",
    "diff_paths": "backend_architect.api",
    "review_path": "backend_architect.api",
    "write_files": "backend_architect.api",
    "STAGES": "backend_architect.design.pipeline",
    "design": "backend_architect.design.pipeline",
    "BackendArchitectError": "backend_architect.errors",
    "InputError": "backend_architect.errors",
    "InputErrors": "backend_architect.errors",
    "Location": "backend_architect.errors",
    "Architecture": "backend_architect.ir.model",
    "Finding": "backend_architect.rules.model",
    "Rule": "backend_architect.rules.model",
    "Severity": "backend_architect.rules.model",
    "RULES": "backend_architect.rules.registry",
    "review": "backend_architect.rules.registry",
    "LoadedSpec": "backend_architect.spec.load",
    "load_spec": "backend_architect.spec.load",
    "load_spec_bytes": "backend_architect.spec.load",
    "Spec": "backend_architect.spec.model",
}

if TYPE_CHECKING:
    from backend_architect.api import DesignResult, ReviewResult, design_file, design_spec, diff_paths, review_path, write_files
    from backend_architect.design.pipeline import STAGES, design
    from backend_architect.diff.model import DiffResult
    from backend_architect.errors import BackendArchitectError, InputError, InputErrors, Location
    from backend_architect.ir.model import Architecture
    from backend_architect.rules.model import Finding, Rule, Severity
    from backend_architect.rules.registry import RULES, review
    from backend_architect.spec.load import LoadedSpec, load_spec, load_spec_bytes
    from backend_architect.spec.model import Spec


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'backend_architect' has no attribute {name!r}")


__all__ = [
    "RULES",
    "STAGES",
    "Architecture",
    "BackendArchitectError",
    "DesignResult",
    "DiffResult",
    "Finding",
    "InputError",
    "InputErrors",
    "LoadedSpec",
    "Location",
    "ReviewResult",
    "Rule",
    "Severity",
    "Spec",
    "__version__",
    "design",
    "design_file",
    "design_spec",
    "diff_paths",
    "load_spec",
    "load_spec_bytes",
    "review",
    "review_path",
    "write_files",
]
