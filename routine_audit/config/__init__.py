"""Rule files: routines (commitments) and classification rules."""

from .load import (
    check_file,
    init_rules,
    load_routine,
    load_rules,
    package_data,
    rules_for,
    rules_path_for,
    unassigned_activities,
)
from .schema import Commitment, Direction, Limit, LimitKind, Routine, Rule, RuleSet, Unit

__all__ = [
    "Commitment",
    "Direction",
    "Limit",
    "LimitKind",
    "Routine",
    "Rule",
    "RuleSet",
    "Unit",
    "check_file",
    "init_rules",
    "load_routine",
    "load_rules",
    "package_data",
    "rules_for",
    "rules_path_for",
    "unassigned_activities",
]
