"""The benchmark: `python -m bench.run --help` (see docs/benchmark.md)."""
