#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 9 - verbose_http.py
# A urllib handler that prints each request and each response head as they cross the wire.

import http.client
import ssl
import urllib.request


def show_request(data):
    """Print the bytes urllib sends, one '> ' line per line of the request."""
    text = data.decode('latin-1') if isinstance(data, bytes) else str(data)
    if text.endswith('\r\n'):
        text = text[:-2]
    for line in text.split('\r\n'):
        print(f'> {line}'.rstrip())


class VerboseHTTPResponse(http.client.HTTPResponse):
    """A response that prints its status line and headers once it has read them."""

    def begin(self):
        super().begin()
        version = {10: 'HTTP/1.0', 11: 'HTTP/1.1'}.get(self.version, 'HTTP/0.9')
        print('<', version, self.status, self.reason)
        for name, value in self.headers.items():
            print(f'< {name}: {value}')
        print('<')


class VerboseHTTPConnection(http.client.HTTPConnection):
    """A plain connection that shows what it sends and reads verbose responses."""
    response_class = VerboseHTTPResponse

    def send(self, data):
        if self.sock is None:
            self.connect()  # show only what really goes out
        show_request(data)
        super().send(data)


class VerboseHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the bytes shown are those inside the encryption."""
    response_class = VerboseHTTPResponse

    def send(self, data):
        if self.sock is None:
            self.connect()  # show only what really goes out
        show_request(data)
        super().send(data)


class VerboseHTTPHandler(urllib.request.HTTPHandler):
    """Give this to urllib.request.build_opener() to watch http:// URLs."""

    def http_open(self, request):
        return self.do_open(VerboseHTTPConnection, request)


class VerboseHTTPSHandler(urllib.request.HTTPSHandler):
    """The same for https:// URLs, verifying certificates as usual."""

    def https_open(self, request):
        return self.do_open(VerboseHTTPSConnection, request,
                            context=ssl.create_default_context())
