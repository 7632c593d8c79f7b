"""Stage 3, writing: the output tree (never through a symbolic link), the record of what was
rendered, the plan (what would change) and its all-or-nothing application, and the lock."""

from .lock import locked
from .plan import Change, apply, plan, remove_leftovers
from .record import RECORD, digest
from .tree import Tree

__all__ = ["RECORD", "Change", "Tree", "apply", "digest", "locked", "plan", "remove_leftovers"]
