"""The benchmark: `python -m bench` measures speed and scale; see bench/README.md."""
