"""Flask routes of the Command Center (registered on the Dash app's Flask server)."""
