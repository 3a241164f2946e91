"""Planning analyses built from the data store with the plain functions of `geo`; no Dash."""
