"""Checking a folder of documents ccdocs did not write: extraction, classification, verdicts."""
