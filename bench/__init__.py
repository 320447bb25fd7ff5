"""The benchmark harness: `make bench` (python -m bench.run). Results go to docs/benchmarks.{md,json};
nothing here is asserted by the test suite."""
