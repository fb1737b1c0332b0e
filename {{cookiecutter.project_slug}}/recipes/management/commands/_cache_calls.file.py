"""What a hit asks of the file cache over the network: nothing, its files are on this machine."""


def calls_per_hit(hit, hits):
    return 0
