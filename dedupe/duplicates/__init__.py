"""Whole-document duplicates: groups of exact copies, near copies and excerpts around
the document to keep (``find``), and moving the others into a quarantine folder with a
journal that restores them (``quarantine``)."""
