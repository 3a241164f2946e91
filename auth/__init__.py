"""Accounts, roles and the audit trail.

Plain Python (no Dash): `models` (User, AuditEvent), `users` (passwords, accounts, the
`python -m auth.users` command), `policy` (role -> permissions, camera groups, the table that maps
URLs to permissions), `audit` (the append-only log). `routes.auth` is the glue that enforces the
policy on the Flask server, `routes.login` the login and logout pages.
"""
