"""The benchmark: `python -m bench.run --help` (see README, section Benchmark)."""
