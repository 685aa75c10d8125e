"""Shared test helpers: where ../shared is, and a fresh engine per test."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def engine():
    import kqlhunt
    e = kqlhunt.Engine(now="2024-05-01T12:00:00Z")
    yield e
    e.close()
