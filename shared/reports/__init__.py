"""The reports context: monthly public operation reports per region level (issue 16, C19, C27)."""
