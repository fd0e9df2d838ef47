"""backend-architect: design backend systems from a compact spec, and review what exists.

Typical use::

    from backend_architect import design_file, write_files
    result = design_file("examples/bookstore.yaml")   # raises InputError on a bad spec
    write_files(result.files, "out/")
"""

from __future__ import annotations

__version__ = "0.1.0"

from backend_architect.api import DesignResult, design_file, design_spec, write_files
from backend_architect.design.pipeline import STAGES, design
from backend_architect.errors import BackendArchitectError, InputError, InputErrors, Location
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity
from backend_architect.rules.registry import RULES, review
from backend_architect.spec.load import LoadedSpec, load_spec, load_spec_bytes
from backend_architect.spec.model import Spec

__all__ = [
    "RULES",
    "STAGES",
    "Architecture",
    "BackendArchitectError",
    "DesignResult",
    "Finding",
    "InputError",
    "InputErrors",
    "LoadedSpec",
    "Location",
    "Rule",
    "Severity",
    "Spec",
    "__version__",
    "design",
    "design_file",
    "design_spec",
    "load_spec",
    "load_spec_bytes",
    "review",
    "write_files",
]
