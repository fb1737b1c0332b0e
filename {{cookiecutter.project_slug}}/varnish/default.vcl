# Varnish in front of gunicorn: anonymous visitors' pages without Python, fresh
# after every edit, and served for hours while the site is down.
#
#   varnishd -F -a :6081 -f "$PWD/varnish/default.vcl" -s malloc,256m
#
# Varnish keeps only the pages Django marks with `Surrogate-Control: max-age=N`
# (caching/front_cache.py: the pages anonymous visitors share, N being
# FRONT_CACHE_SECONDS), and drops them when Django sends `BAN` after an edit.
# Everything else goes to Django untouched. For Varnish 7.x.
# https://varnish-cache.org/docs/7.1/users-guide/vcl.html
vcl 4.1;

import std;

# gunicorn: gunicorn.conf.py's default bind. Change the port (or host) to yours.
backend default {
    .host = "127.0.0.1"; .port = "8000";
    .connect_timeout = 2s;
    # gunicorn.conf.py's timeout: a worker silent that long is killed anyway.
    .first_byte_timeout = 30s;
}

# Who may drop pages with BAN: the machines that run Django, which send it after
# every edit (FRONT_CACHE_URLS). When Django runs on other machines, add each
# app server's address here, for example "10.0.0.5";.
acl invalidators {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        # A TLS proxy on this machine relays its clients' requests from a local
        # address, always with X-Forwarded-Proto: those never ban.
        if (client.ip !~ invalidators || req.http.X-Forwarded-Proto) {
            return (synth(405, "Not allowed"));
        }
        if (req.http.X-Ban-Tag !~ "^[a-z0-9_.-]+$") {
            return (synth(400, "X-Ban-Tag must name one tag"));
        }
        # On obj.http only, so Varnish's ban lurker clears old pages in the background.
        if (std.ban("obj.http.X-Cache-Tags ~ (^|,)" + req.http.X-Ban-Tag + "(,|$)")) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }
    # gunicorn takes these from headers, and would put them in every link.
    unset req.http.SCRIPT_NAME;
    unset req.http.PATH_INFO;
    # Form posts and every other method go to Django with their cookies.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Tracking parameters (the defaults of CACHE_TRACKING_PARAMETERS in
    # caching/conf.py) are read by scripts in the page, never by a view: dropped,
    # so visitors from a campaign link share one copy, as Django's page cache does.
    if (req.url ~ "[?&](utm_[^=&]*|fbclid|gclid|gbraid|wbraid|dclid|msclkid|twclid|igshid|yclid|mc_cid|mc_eid|_gl)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[^=&]*|fbclid|gclid|gbraid|wbraid|dclid|msclkid|twclid|igshid|yclid|mc_cid|mc_eid|_gl)=[^&]*(&|$)", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    # Signing in and the admin: never stored.
    if (req.url ~ "^/(admin|accounts)(/|$)") {
        return (pass);
    }
    # A visitor with a session (signed in, or a basket of their own) or a message
    # to show sees pages of their own: SESSION_COOKIE_NAME and the messages cookie.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;) *(sessionid|messages)=") {
        return (pass);
    }
    # Every other cookie (analytics, theme, csrftoken) changes nothing on the
    # pages visitors share: without it, they all get the same stored copy.
    unset req.http.Cookie;
    # A page past its FRONT_CACHE_SECONDS is fetched again; only if that fails
    # (vcl_deliver restarts the request) does the visitor get the stored page,
    # within its grace. What a client sends in X-Stored-Page counts for nothing.
    if (req.restarts > 0 && req.http.X-Stored-Page == "stale") {
        set req.grace = 6h;
    } else {
        set req.grace = 0s;
        set req.http.X-Stored-Page = "fresh";
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    # One entry per site name, whatever port or trailing dot a client adds.
    hash_data(std.tolower(regsub(req.http.host, "\.?(:[0-9]+)?$", "")));
    # HTTP and HTTPS never share: the plain-HTTP redirect never reaches HTTPS.
    hash_data("proto:" + req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_fetch {
    unset bereq.http.X-Stored-Page;
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # A failed refresh in the background keeps the stored page.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.http.Surrogate-Control ~ "(^|,) *max-age=[0-9]+"
        && !beresp.http.Set-Cookie
        && beresp.http.Cache-Control !~ "(private|no-store|no-cache)") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, ".*max-age=([0-9]+).*", "\1s"), 0s);
        # Served while gunicorn is down: 6 hours after FRONT_CACHE_SECONDS.
        set beresp.grace = 6h;
        unset beresp.http.Surrogate-Control;
        return (deliver);
    }
    # Anything Django did not mark is not stored; for 10 s the next request for
    # it goes straight to Django instead of waiting for this one.
    set beresp.uncacheable = true;
    set beresp.ttl = 10s;
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    # A page never stored, while gunicorn does not answer: a short page, no details.
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "30";
    set beresp.ttl = 0s;
    synthetic({"<!doctype html>
<html><head><title>Back soon</title></head>
<body><h1>Back soon</h1><p>This page is not available right now. Please try again in a minute.</p></body></html>
"});
    return (deliver);
}

sub vcl_deliver {
    # gunicorn does not answer, or fails: the stored page, if it is within its
    # grace (vcl_backend_response), else the short page of vcl_backend_error.
    if (resp.status >= 500 && req.http.X-Stored-Page == "fresh") {
        set req.http.X-Stored-Page = "stale";
        return (restart);
    }
    # The tags are for bans only.
    unset resp.http.X-Cache-Tags;
}
