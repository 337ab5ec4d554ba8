"""The gate: the extract contract, and each delivery's files checked against it and loaded,
every row accounted for.
"""
