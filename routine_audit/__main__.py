"""``python -m routine_audit``."""

from .cli import main

main()
