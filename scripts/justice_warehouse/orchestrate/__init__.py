"""Reserved for the orchestrator's definitions (Dagster); empty until they land."""
