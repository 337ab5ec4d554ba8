"""The build: the pipeline's steps in order on a candidate, ``dbt``, and the docs site."""
