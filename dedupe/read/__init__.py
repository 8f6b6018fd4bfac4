"""Stage 1, read: the files under the paths given (``files``: listing, decoding, skipping
what is not text) and the documents inside them (``formats``: HTML, PDF, DOCX, WARC and
JSON Lines through their libraries)."""
