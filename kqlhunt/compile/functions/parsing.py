"""structured-text parsers: parse_command_line, parse_url, parse_urlquery, parse_path, parse_csv, parse_version, parse_xml, ...."""
from __future__ import annotations

from ..types import E  # noqa: F401
from . import aggregate, scalar  # noqa: F401
