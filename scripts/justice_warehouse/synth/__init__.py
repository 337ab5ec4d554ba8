"""SYNTHETIC data: the published-figure register the generators target, one generator per
table, delivery sequences, scale sets, the seeds check.
"""
