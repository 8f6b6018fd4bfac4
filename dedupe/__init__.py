"""dedupe: passages reused across documents, and which copy is the source."""

__version__ = "0.1.0"
