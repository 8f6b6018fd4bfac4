"""Evaluation, outside the runtime path: corpora with planted reuse (``synthetic``) and
the PAN text-alignment measures to score detections against them (``plagdet``). Used by
the tests and the benchmarks; nothing in the pipeline imports it."""
