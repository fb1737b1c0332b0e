"""A value kept in Redis that each process knows without asking: told of changes by pub/sub.

Each process runs a listener thread per PushedValue, subscribed to a channel named
after the value's key; whoever changes the value calls changed() afterwards, which
publishes to it, and every listener reads the value again. get() answers without a
network call only while the process can be sure of the value: subscribed, the value
read *after* the subscription was confirmed (pub/sub keeps nothing for a subscriber
that is not there), and the server heard from within TRUST_SECONDS (the listener
pings it). Otherwise it returns None, and the caller reads the value itself.

https://redis.readthedocs.io/en/stable/advanced_features.html#publish-subscribe
"""

import contextlib
import os
import threading
import time

import redis

# How often the listener pings a quiet server, and how long this process trusts
# what it knows without hearing from the server.
PING_SECONDS = 1.0
TRUST_SECONDS = 2.5
# How long the listener waits before subscribing again after a failure.
RETRY_SECONDS = 0.5


class PushedValue:
    """The value under one key of a Redis-backed cache, pushed to this process.

    key():     the full key (and channel name); followed anew when it changes.
    read():    the value, read from Redis (None when it cannot be read).
    connect(): a redis-py client for the server that holds the value.
    trusted(): False while this process knows the server is failing: a write
               made meanwhile may never have reached it, nor its message us.
    """

    def __init__(self, key, read, connect, trusted):
        self.key, self.read, self.connect, self.trusted = key, read, connect, trusted
        self._following = None  # (pid, channel) of the running listener
        self._known = None  # (channel, value) while sure, else None
        self._heard_at = 0.0
        self._changes = 0  # changed() calls in this process, so a read racing one is dropped
        self._lock = threading.Lock()

    def get(self):
        """The current value if this process is sure of it, else None (read it yourself)."""
        channel = self.key()
        following = (os.getpid(), channel)
        if self._following != following:
            with self._lock:
                if self._following != following:
                    self._following, self._known = following, None
                    threading.Thread(target=self._listen, args=following, daemon=True).start()
        known = self._known
        if known is None or known[0] != channel or not self.trusted():
            return None
        return known[1] if time.monotonic() - self._heard_at <= TRUST_SECONDS else None

    def changed(self):
        """Tell every process that the value changed; call it after writing the value."""
        self._changes += 1
        self._known = None  # This process too, until its listener has read it again.
        # A server out of reach has no subscriber either: each process reads the
        # value on every request until it is back.
        with contextlib.suppress(redis.RedisError, OSError):
            self.connect().publish(self.key(), "changed")

    def _listen(self, pid, channel):
        """Subscribe, read, follow the messages; on any failure, start over. Runs for good."""
        following = (pid, channel)
        while self._following == following:
            with contextlib.suppress(Exception), self.connect().pubsub() as pubsub:
                pubsub.subscribe(channel)
                unsure, pinged_at = False, time.monotonic()
                while True:
                    message = pubsub.get_message(timeout=PING_SECONDS)
                    if self._following != following:
                        break  # Another key, or a forked process: this one asks nothing more.
                    now = time.monotonic()
                    # Read again once (re)subscribed, told of a change, or after a
                    # silence (a hung server, a cut link) that a change may have
                    # been published in. redis-py subscribes again by itself after
                    # a dropped connection, and says so with a "subscribe" message.
                    if message is not None:
                        if message["type"] in ("subscribe", "message") or (
                            now - self._heard_at > TRUST_SECONDS
                        ):
                            self._known, unsure = None, True
                        self._heard_at = now
                    if unsure:
                        changes, value = self._changes, self.read()
                        current = (changes, following) == (self._changes, self._following)
                        if value is not None and current:
                            self._known, unsure = (channel, value), False
                    if now - pinged_at >= PING_SECONDS:
                        pubsub.ping()
                        pinged_at = now
            if self._following == following:
                self._known = None
            time.sleep(RETRY_SECONDS)
