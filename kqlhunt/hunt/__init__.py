"""Hunting: run rules over a workspace (`hunt`), the rule funnel (`funnel`), report writers, detection-as-code
tests, and the CLI commands (`cli_commands.register`)."""
from .funnel import Stage, funnel
from .runner import HuntReport, Outcome, hunt, latest_time

__all__ = ["HuntReport", "Outcome", "Stage", "funnel", "hunt", "latest_time"]
