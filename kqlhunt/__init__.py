"""kqlhunt: run Microsoft Sentinel KQL rules on your own logs, locally.

Stages, each a subpackage, data flowing one way: `kql` (parse) -> `compile` (KQL -> SQL) -> `engine` (DuckDB,
Spark) ; `ingest` (logs -> Sentinel tables) -> `asim` (normalizing KQL functions) -> `rules` (Sentinel YAML) ->
`hunt` (findings) -> `web` (SOC feed UI); `cli` ties them together.
"""
from .errors import KqlError
from .engine import Engine, Result

__all__ = ["Engine", "KqlError", "Result"]
__version__ = "0.1.0"
