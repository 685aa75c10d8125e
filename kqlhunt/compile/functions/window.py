"""window functions over serialized rows: row_number, prev, next, row_cumsum, row_rank_*."""
from __future__ import annotations

from ..types import E  # noqa: F401
from . import aggregate, scalar  # noqa: F401
