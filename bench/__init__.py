"""Benchmarks: the data generator (`flask bench seed`), and harnesses that print figures."""
