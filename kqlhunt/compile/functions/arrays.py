"""array and set functions: array_sort_*, array_shift_*, array_rotate_*, array_iff, array_sum, set_union, set_intersect, set_difference, set_has_element, zip, range(), ...."""
from __future__ import annotations

from ..types import E  # noqa: F401
from . import aggregate, scalar  # noqa: F401
