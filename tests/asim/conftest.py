"""Workspaces for the ASIM tests, built with the real ingest from the shared Security-Datasets files."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

MORDOR = SHARED / "datasets" / "Security-Datasets" / "extracted_json"
ENUM_USERS = MORDOR / "empire_shell_samr_EnumDomainUsers_2020-09-21193527.json"
DOMAIN_ADMINS = MORDOR / "empire_shell_rpc_samr_smb_group_domain_admins_standard_user_2020-09-21040850.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _workspace(path: Path, files, **kw) -> Path:
    from kqlhunt.ingest import ingest_paths
    report = ingest_paths([str(f) for f in files], str(path), progress=False, **kw)
    assert all(f.rejected == 0 for f in report.files), report
    return path


@pytest.fixture(scope="session")
def mordor_db(tmp_path_factory) -> Path:
    """Both Empire net-enumeration datasets; Sysmon lands in `Event` (XML EventData), Security in `SecurityEvent`."""
    return _workspace(tmp_path_factory.mktemp("asim") / "mordor.duckdb", [ENUM_USERS, DOMAIN_ADMINS])


@pytest.fixture(scope="session")
def mordor_wef_db(tmp_path_factory) -> Path:
    """The EnumDomainUsers dataset with Sysmon in `WindowsEvent` (dynamic EventData), as WEF/AMA would store it."""
    return _workspace(tmp_path_factory.mktemp("asim") / "wef.duckdb", [ENUM_USERS], sysmon_table="WindowsEvent")


@pytest.fixture
def mordor(mordor_db):
    import kqlhunt
    e = kqlhunt.Engine(mordor_db)
    yield e
    e.close()
