#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 9 - verbose_http.py
# A urllib handler that prints each request and each response head as they cross the wire.

import http.client, urllib.request


class VerboseHTTPResponse(http.client.HTTPResponse):
    """A response that prints its status line and headers once it has read them."""

    def begin(self):
        super().begin()
        print(f'< HTTP/{self.version / 10} {self.status} {self.reason}')
        for name, value in self.headers.items():
            print(f'< {name}: {value}')
        print('<')


class VerboseHTTPConnection(http.client.HTTPConnection):
    """A connection that shows what it sends, and reads verbose responses."""
    response_class = VerboseHTTPResponse

    def send(self, data):
        super().send(data)       # connects first when it must: show only what went out
        for line in data.decode('latin-1').removesuffix('\r\n').split('\r\n'):
            print('>', line)


class VerboseHTTPSConnection(VerboseHTTPConnection, http.client.HTTPSConnection):
    """The same over TLS: what it shows is what travels inside the encryption."""


class VerboseHTTPHandler(urllib.request.HTTPHandler):
    """Give this to urllib.request.build_opener() to watch http:// URLs."""

    def http_open(self, request):
        return self.do_open(VerboseHTTPConnection, request)


class VerboseHTTPSHandler(urllib.request.HTTPSHandler):
    """The same for https:// URLs; the default TLS context verifies certificates."""

    def https_open(self, request):
        return self.do_open(VerboseHTTPSConnection, request)
