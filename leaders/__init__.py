"""The leaders' board: the Command Center's effectiveness (Duncan: goal attainment, integration,
adaptation) as indicators computed from daily roll-ups. Plain Python; no Dash, no Flask."""
