"""Plain geospatial functions for the Command Center (no Dash, no Flask, no database)."""
