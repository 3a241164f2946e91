"""What the public portal (/publik) shows, read from the store and made safe to publish: report
counts per desa with no text or names, river levels in plain terms, the poster. Plain Python, no
web framework; `routes.publik` renders it."""
