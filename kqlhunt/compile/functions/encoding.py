"""base64, URL, hex and hash functions."""
from __future__ import annotations

from ..types import E  # noqa: F401
from . import aggregate, scalar  # noqa: F401
