"""ASIM normalization as KQL functions kept in this project (`*.kql` files here), loaded into every engine as
stored functions, as Sentinel deploys its ASIM parsers: imProcessCreate, _Im_ProcessEvent, ... ."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_functions(engine) -> None:
    for path in sorted(HERE.glob("*.kql")):
        engine.define_functions(path.read_text(encoding="utf-8"))
