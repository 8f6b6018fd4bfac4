"""Stage 8, report: a ``ScanResult`` as a table, CSV, JSON, JSON lines or Markdown
(``tables``), as HTML with both sides of every passage (``html``) or as an SQLite
database (``sqlite``); ``output`` refuses output paths that are inputs and writes files."""
