"""Audit stage: the auditor's view of a profile and its documents.

``gaps`` builds the gap report (every mandate with its status, grouped by the standard's
sections), ``maturity`` rates CC-CMM levels (claimed and supported by the evidence) and ``outcome``
CCCS review outcomes, both by rules kept as data; ``matrix``
traces requirements to document sections and evidence, ``pack`` writes and verifies the
evidence pack, and ``write`` puts the reports on disk.
"""
