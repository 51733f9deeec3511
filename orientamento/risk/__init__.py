"""NEET risk: records, spec-driven training and evaluation, model versions, scoring."""
