"""property-bag functions: bag_merge, bag_remove_keys, bag_set_key, bag_has_key, bag_zip, pack_all, bag_pack_columns, ...."""
from __future__ import annotations

from ..types import E  # noqa: F401
from . import aggregate, scalar  # noqa: F401
