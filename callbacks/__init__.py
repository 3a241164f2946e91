"""Callbacks: thin glue between components and the domain packages. Each module has `register(app, ...)`."""
