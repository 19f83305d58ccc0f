"""Publish stage: write rendered documents in each output format under a staging folder."""
