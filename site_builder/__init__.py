"""site_builder: research-paper listing dumps -> a searchable research-digest website.

Pipeline (one direction): dumps -> ingest (records -> content files) -> content (site model)
-> render / feeds -> output -> search index.
"""

__version__ = "0.1.0"
