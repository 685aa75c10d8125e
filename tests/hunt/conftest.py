"""Workspaces for the hunt tests: Security-Datasets (ingested once per session) and the path-less net user
4688 fixture."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
RULES = SHARED / "sentinel" / "rules"
SEED = SHARED / "seed"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NET_USER = FIXTURES / "securityevent_net_user_administrator.json"


@pytest.fixture(scope="session")
def sd_db(tmp_path_factory):
    from kqlhunt.ingest import ingest_paths
    db = tmp_path_factory.mktemp("sd") / "sd.duckdb"
    ingest_paths([SHARED / "datasets" / "Security-Datasets"], db, progress=False)
    return db


@pytest.fixture
def sd_copy(sd_db, tmp_path):
    db = tmp_path / "sd.duckdb"
    shutil.copy(sd_db, db)
    return db


@pytest.fixture
def net_db(tmp_path):
    from kqlhunt.ingest import ingest_paths
    db = tmp_path / "net.duckdb"
    ingest_paths([NET_USER], db, progress=False)
    return db
