"""Stages 2-4, text: normalise and segment a document, shingle its segments, sign them."""
