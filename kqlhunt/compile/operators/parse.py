"""parse, parse-where (query/parse-operator.md, parse-where-operator.md)."""
from __future__ import annotations

from ...kql import ast as A  # noqa: F401
from ..compiler import Rel  # noqa: F401
from . import operator, source  # noqa: F401
