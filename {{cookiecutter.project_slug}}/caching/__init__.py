"""The site's cache infrastructure: backends, outage handling, per-request state, page caching."""
