"""An assessor's own, independent assessment: the workbook they fill and the report it gives."""
