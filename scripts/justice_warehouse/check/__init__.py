"""The checks on a candidate: disclosure control, the reference data, the Great
Expectations suites and their runs.
"""
