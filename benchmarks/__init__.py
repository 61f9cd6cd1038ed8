"""The project's own benchmark: a deterministic synthetic corpus (`benchmarks.generate`) and a
runner that times cold, no-op and one-edit builds and the ingest (`benchmarks.run`).

See benchmarks/README.md for how to run it.
"""
