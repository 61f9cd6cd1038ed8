"""Ingest: dumps of paper-listing pages -> one Markdown content file per paper.

Pure parsers turn each dump's text into records (one module per format, `detect` picks one);
`merge` combines the records of every dump into one per paper; `topics` tags papers from
`content/topics.yaml`; `writer` writes the content files, keeping people's edits (the rule is in
`content_files`, the memory of what ingest wrote in `state`). `run` does the I/O around them.
"""

from site_builder.ingest.run import DumpSummary, IngestReport, run_ingest

__all__ = ["DumpSummary", "IngestReport", "run_ingest"]
