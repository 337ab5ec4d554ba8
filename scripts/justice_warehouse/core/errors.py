"""The one error a build, a publish or a rollback raises."""

from __future__ import annotations


class BuildFailed(Exception):
    """A step failed; the published files are untouched. ``exit_code`` is 1 or 2."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code
