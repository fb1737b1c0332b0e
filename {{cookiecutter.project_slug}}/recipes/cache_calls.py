"""What a hit asks of the cache over the network: nothing, the cache is on this machine.

Counted the same way by `manage.py cachebench` (its net/hit) and by the tests.
"""


def calls_per_hit(hit, hits):
    return 0
