"""Accounts, roles and the audit trail.

Plain Python (no Dash): `models` (User, AuditEvent), `users` (passwords, accounts, the
`python -m auth.users` command), `policy` (role -> permissions, camera groups, the tables that map
pages, callback outputs and URLs to permissions), `audit` (the append-only log), `uploads` (checks
every uploaded file passes). `auth.web` is the glue that enforces the policy on the Flask server.
"""
