"""Functions that build Dash components. No data access and no decisions: they take what to show."""
