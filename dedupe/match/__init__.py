"""Stages 5-6, matching: candidate pairs, families of similar segments, verification and
alignment into passages."""
