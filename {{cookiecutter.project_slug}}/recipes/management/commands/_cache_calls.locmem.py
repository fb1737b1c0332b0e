"""What a hit asks of the local-memory cache over the network: nothing, it is this process's."""


def calls_per_hit(hit, hits):
    return 0
