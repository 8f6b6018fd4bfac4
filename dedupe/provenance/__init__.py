"""Stage 7, provenance: which copy is the source, and which text is boilerplate."""
