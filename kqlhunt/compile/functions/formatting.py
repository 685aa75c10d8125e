"""format_datetime, format_timespan and other text renderings of dates and times."""
from __future__ import annotations

from ..types import E  # noqa: F401
from . import aggregate, scalar  # noqa: F401
