"""Quality and speed benchmarks: scripts that print their figures."""
