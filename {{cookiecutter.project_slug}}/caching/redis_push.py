"""A value kept in Redis that each process knows without asking: told of changes by pub/sub.

Each process runs one listener thread per PushedValue (started on first use,
and again in a process forked after that), subscribed to a channel named after
the value's key. Whoever changes the value calls changed() afterwards, which
publishes to that channel; every listener then reads the value again.

PushedValue.get() returns the value without a network call only while this
process can be sure it is current: subscribed, the value read *after* the
subscription was confirmed (a message sent before that is lost, as pub/sub
keeps nothing for a subscriber that is not there), and the server heard from
within the last few seconds (the listener pings it). Otherwise, before the
first confirmation, after the subscription drops and while it reconnects, it
returns None, and the caller reads the value itself, as if nothing were pushed.

https://redis.io/docs/latest/develop/interact/pubsub/
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

    key():     the full key (channel name); followed anew when it changes.
    read():    the value, read from Redis (None when it cannot be read).
    connect(): a redis-py client for the server that holds the value.
    trusted(): False while this process knows the server is failing: a write
               made meanwhile may never have reached it, nor its message us.
    """

    def __init__(self, key, read, connect, trusted=lambda: True):
        self.key = key
        self.read = read
        self.connect = connect
        self.trusted = trusted
        self._following = None  # (pid, channel) of the running listener
        self._known = None  # (channel, value) while sure, else None
        self._heard_at = 0.0
        self._changes = 0  # changed() calls in this process, so a read racing one is dropped
        self._lock = threading.Lock()
        # A forked process (a gunicorn worker) has no listener: it starts its own.
        os.register_at_fork(after_in_child=self._forget_the_parent)

    def _forget_the_parent(self):
        self._following, self._known, self._lock = None, None, threading.Lock()

    def get(self):
        """The current value if this process is sure of it, else None (read it yourself)."""
        channel = self.key()
        if self._following != (os.getpid(), channel):
            self._follow(channel)
        known = self._known
        if known is None or known[0] != channel:
            return None
        if time.monotonic() - self._heard_at > TRUST_SECONDS or not self.trusted():
            return None
        return known[1]

    def changed(self):
        """Tell every process that the value changed; call it after writing the value."""
        self._changes += 1
        self._known = None  # This process too, until its listener has read it again.
        # When the server is out of reach, so is every listener's subscription:
        # each of them reads the value on every request until it is back. (And
        # a cache that is not Redis at all, swapped in by a test, has no server.)
        with contextlib.suppress(redis.RedisError, OSError, NotImplementedError):
            self.connect().publish(self.key(), "changed")

    def _follow(self, channel):
        with self._lock:
            following = (os.getpid(), channel)
            if self._following == following:
                return
            self._following, self._known = following, None
            listener = threading.Thread(
                target=self._listen, args=(following,), name=f"pushed {channel}", daemon=True
            )
            listener.start()

    def _listen(self, following):
        """Subscribe, read, follow the messages; on any failure, start over. Runs for good."""
        while self._following == following:
            # Whatever fails, this process reads the value itself until it works.
            with contextlib.suppress(Exception):
                self._subscribe_and_follow(following)
            if self._following == following:
                self._known = None
            time.sleep(RETRY_SECONDS)

    def _subscribe_and_follow(self, following):
        channel = following[1]
        pubsub = self.connect().pubsub()
        try:
            pubsub.subscribe(channel)
            # Read only once the subscription is confirmed: a change published
            # between a read and the subscription would never be heard of.
            unsure, pinged_at = False, time.monotonic()
            while self._following == following:
                message = pubsub.get_message(timeout=PING_SECONDS)
                now = time.monotonic()
                if message is not None:
                    if now - self._heard_at > TRUST_SECONDS:
                        # Silent for a while (a hung server, a cut link): a change
                        # published meanwhile never reached this process.
                        self._known, unsure = None, True
                    self._heard_at = now
                    if message["type"] in ("subscribe", "message"):
                        # Just (re)subscribed, or told of a change: what this process
                        # knows may be old. redis-py subscribes again by itself after
                        # a dropped connection, and says so with a "subscribe" message.
                        self._known, unsure = None, True
                if unsure:
                    changes = self._changes
                    value = self.read()
                    if value is not None and (changes, following) == (
                        self._changes,
                        self._following,
                    ):
                        self._known, unsure = (channel, value), False
                if now - pinged_at >= PING_SECONDS:
                    pubsub.ping()
                    pinged_at = now
        finally:
            if self._following == following:
                self._known = None
            pubsub.close()
