"""justice-warehouse: the Python tooling around the dbt project, by stage of the data's
journey. The layering (import-linter, pyproject.toml) runs, from the top:
cli > orchestrate | bench > build > publish > gate | check | operate | present > core;
only cli, bench and the tests import synth."""
