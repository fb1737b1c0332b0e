"""Cache infrastructure: backends where a cache that fails is a miss, and their health."""
