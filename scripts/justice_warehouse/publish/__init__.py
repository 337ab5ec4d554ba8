"""Publishing: release by atomic rename, rollback, and the one-build-at-a-time lock."""
