"""Flask-Preflight: per-view CORS policies with automatic, correct preflight handling."""

from .decorators import Cors, cors
from .errors import PreflightConfigError, Problem
from .extension import Preflight
from .policy import PolicyOptions

__version__ = "0.1.0"

__all__ = [
    "Cors",
    "PolicyOptions",
    "Preflight",
    "PreflightConfigError",
    "Problem",
    "__version__",
    "cors",
]
