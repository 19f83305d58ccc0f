"""Audit stage: the auditor's view of a profile and its documents.

``gaps`` builds the gap report (every mandate with its status, grouped by the standard's
sections), ``score`` rates CC-CMM levels and CCCS outcomes from rules kept as data, ``matrix``
traces requirements to document sections and evidence, ``pack`` writes and verifies the
evidence pack, and ``write`` puts the reports on disk.
"""
