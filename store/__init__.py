"""The data store: SQLAlchemy 2 models and the functions that move GeoDataFrames in and out.

The same code runs on SQLite (the embedded default) and PostgreSQL (`DATABASE_URL`): geometries are
stored as WKB with indexed bounding-box columns, points as indexed lon/lat columns.
"""
