"""What a hit asks of the cache over the network: nothing, the cache is on this machine.

Redis, memcached and the database cache count theirs (_cache_calls.<backend>.py).
"""


def calls_per_hit(hit, hits):
    return 0
