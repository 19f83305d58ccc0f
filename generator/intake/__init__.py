"""The manager's workbook: a profile as sheets to fill in (layout from the schema), and back."""
