"""The benchmark: harness, steps, plans, deliveries, report, and the Spark parity comparison."""
