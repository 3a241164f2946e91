"""Flask routes served beside the Dash app (data the browser fetches by URL)."""
