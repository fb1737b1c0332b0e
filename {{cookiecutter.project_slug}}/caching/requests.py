"""What the caches remember for the length of one request.

RequestMemoMiddleware, first in MIDDLEWARE, opens an empty memo when a request
comes in and drops it when the response leaves, under WSGI and ASGI alike.
Signal receivers (request_started, request_finished) would not do: under ASGI
they run in another context, and what they set is never seen by the view.
"""

from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

_memo = ContextVar("cache_memo_this_request", default=None)


def remembered(name, compute):
    """compute()'s value, computed once per request; every time outside a request."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]


def remember(name, value):
    """Replace what this request remembers under name (no-op outside a request)."""
    memo = _memo.get()
    if memo is not None:
        memo[name] = value


class RequestMemoMiddleware:
    async_capable = True  # sync_capable is True by default.

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)

    async def __acall__(self, request):
        token = _memo.set({})
        try:
            return await self.get_response(request)
        finally:
            _memo.reset(token)
