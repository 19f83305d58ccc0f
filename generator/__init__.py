"""ccdocs: controlled documents for contact centers, and the auditor's view of them."""

from __future__ import annotations

from generator.errors import CcdocsError, Finding, Location, ProfileError, StandardsMapError

__all__ = ["CcdocsError", "Finding", "Location", "ProfileError", "StandardsMapError"]
__version__ = "0.1.0"
