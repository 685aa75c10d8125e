"""IPv4 functions: parse_ipv4, ipv4_is_private, ipv4_is_in_range, ipv4_is_match, ipv4_compare, has_ipv4, ...."""
from __future__ import annotations

from ..types import E  # noqa: F401
from . import aggregate, scalar  # noqa: F401
