"""Chapter 9 exercises: HTTP (the text of each is in chapter09/README.md, Exercises)."""
import re

import pytest

from harness import REPO

DOCUMENT = (REPO / 'playground' / 'data' / 'rfc2616.txt').read_text(encoding='utf-8')


def body(out):
    """What a get_rfc2616.py run printed besides the verbose handler's > and < lines."""
    return ''.join(line for line in out.splitlines(keepends=True)
                   if not line.startswith(('<', '>', 'Redirected to ')))


def requests_sent(out):
    """The header lines of the requests it showed (> Name: value)."""
    return [line[2:] for line in out.splitlines() if re.match(r'> [\w-]+: ', line)]


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else '(nothing)'


@pytest.mark.exercise('chapter09/get_rfc2616.py', 'chapter09/get_rfc2616_etag.py')
def test_get_rfc2616_etag(solution, check, run, playground):
    url = f'http://127.0.0.1:{playground("web").port(80)}/rfc/rfc2616.txt'
    first = run(solution.script, url, env=solution.env)
    check.that(first.returncode == 0 and body(first.out) == DOCUMENT,
               'the first run fetches and prints the document',
               f'the first run should fetch and print the document, as the listing does; it '
               f'ended with status {first.returncode}: {last_line(first.err or first.out)}')
    etag = re.search(r'^< ETag: (.*)$', first.out, re.M | re.I)
    check.that(etag, 'the verbose handler shows the ETag the server sent with it',
               'the verbose handler should still show the answer\'s head, with its ETag header')
    etag = etag[1]
    second = run(solution.script, url, env=solution.env)   # in the same folder
    sent = requests_sent(second.out)
    check.that(f'if-none-match: {etag}'.lower() in map(str.lower, sent),
               f'the second run asks again with If-None-Match: {etag}',
               f'the second run (in the same folder) should send If-None-Match: {etag}, the '
               f'ETag that came with the first copy; it sent only {"; ".join(sent)}')
    check.that(re.search(r'^< HTTP/1\.1 304 ', second.out, re.M),
               'the server answers 304 Not Modified, with no body',
               'the server should answer the second request with 304 Not Modified; it answered '
               f'{" ".join(re.findall(r"^< (HTTP/.*)$", second.out, re.M))}')
    check.that(second.returncode == 0 and body(second.out) == DOCUMENT,
               'after the 304 it prints the copy it kept, in full',
               f'after the 304 Not Modified it should print the copy it kept of the document, '
               f'and end with status 0; it ended with status {second.returncode} '
               f'({last_line(second.err)}) and printed {len(body(second.out))} characters '
               f'of the {len(DOCUMENT)}')
    missing = run(solution.script, url.replace('/rfc/', '/no/such/'), env=solution.env)
    check.that(missing.returncode != 0 and '404' in last_line(missing.err),
               'a missing page still ends in one line with the 404',
               f'a missing page should still end in one line saying HTTP Error 404; it ended '
               f'with status {missing.returncode}: {last_line(missing.err)}')


def redirects(out):
    return re.findall(r'^Redirected to (.*)$', out, re.M)


@pytest.mark.exercise('chapter09/get_rfc2616.py', 'chapter09/get_rfc2616_redirects.py')
def test_get_rfc2616_redirects(solution, check, run, playground):
    site = f'http://127.0.0.1:{playground("web").port(80)}'
    plain = run(solution.script, f'{site}/rfc/rfc2616.txt', env=solution.env)
    check.that(plain.returncode == 0 and body(plain.out) == DOCUMENT and not redirects(plain.out),
               'it still fetches and prints the document',
               f'it should still fetch and print the document at {site}/rfc/rfc2616.txt; '
               f'it ended with status {plain.returncode}: {last_line(plain.err or plain.out)}')
    chain = run(solution.script, f'{site}/httpbin/relative-redirect/3', env=solution.env)
    hops = [f'{site}/httpbin/relative-redirect/2', f'{site}/httpbin/relative-redirect/1',
            f'{site}/httpbin/get']
    check.that(redirects(chain.out),
               'it says "Redirected to" when it follows a redirect',
               f'fetching {site}/httpbin/relative-redirect/3 (three redirects), it printed no '
               f'"Redirected to" line: urllib still follows the redirects by itself')
    check.that(redirects(chain.out) == hops,
               'it follows a chain of three redirects, printing each absolute URL',
               f'fetching {site}/httpbin/relative-redirect/3, it should print "Redirected to" '
               f'with {", ".join(hops)}; it printed {redirects(chain.out)}')
    requests = re.findall(r'^> GET (\S+)', chain.out, re.M)
    check.that(chain.returncode == 0 and len(requests) == 4
               and f'"url": "{site}/httpbin/get"' in chain.out,
               'each hop is a request of its own, and the last page is printed',
               f'it should send four requests (the verbose handler shows {requests}) and print '
               f'the last page, the JSON of /httpbin/get; it ended with status '
               f'{chain.returncode}: {last_line(chain.err)}')
    relative = run(solution.script, f'{site}/httpbin/redirect-to?url=get&status_code=307',
                   env=solution.env)
    check.that(redirects(relative.out) == [f'{site}/httpbin/get'] and relative.returncode == 0,
               'a relative Location ("get") is resolved against the URL it came from',
               f'{site}/httpbin/redirect-to?url=get&status_code=307 answers "Location: get", '
               f'which means {site}/httpbin/get (urllib.parse.urljoin knows how); it printed '
               f'{redirects(relative.out)} and ended with status {relative.returncode}')
    loop = run(solution.script, f'{site}/httpbin/redirect/6', env=solution.env)
    lines = loop.err.strip().splitlines()
    check.that(loop.returncode != 0 and len(lines) == 1 and 'too many redirects' in lines[0]
               and len(redirects(loop.out)) == 5,
               'after five redirects it stops with one line: too many redirects',
               f'{site}/httpbin/redirect/6 takes six redirects: it should follow five, then stop '
               f'with one line ending in "too many redirects"; it followed '
               f'{len(redirects(loop.out))} and ended with status {loop.returncode}: '
               f'{last_line(loop.err)}')


@pytest.mark.exercise('chapter09/get_rfc2616.py', 'chapter09/get_rfc2616_keepalive.py')
def test_get_rfc2616_keepalive(solution, check, run, playground):
    site = f'http://127.0.0.1:{playground("web").port(80)}'
    # /peer answers with the client's end of the connection as the server sees it: the
    # same address and port twice means the same TCP connection (see the README).
    urls = [f'{site}/peer', f'{site}/rfc/rfc2616.txt', f'{site}/peer']
    three = run(solution.script, *urls, env=solution.env)
    check.that(three.returncode == 0,
               'it takes several URLs',
               f'given three URLs it should fetch them all; it ended with status '
               f'{three.returncode}: {last_line(three.err)}')
    printed = body(three.out)
    peers = re.findall(r'^127\.0\.0\.1:\d+$', printed, re.M)
    check.that(len(peers) == 2 and DOCUMENT in printed
               and printed.index(peers[0]) < printed.index(DOCUMENT) < printed.rindex(peers[1]),
               'it prints the three answers, in order',
               f'it should print the answers to {", ".join(urls)}, in that order; it printed '
               f'{printed[:160]!r}...')
    closing = [line for line in requests_sent(three.out) if line.lower() == 'connection: close']
    check.that(not closing,
               'it no longer asks the server to close the connection',
               'its requests still say "Connection: close", which asks the server to close '
               'the connection after each answer (urllib always sends it: use http.client)')
    check.that(peers[0] == peers[1],
               f'it fetches them all over one TCP connection (the server saw {peers[0]} twice)',
               f'the first and the last request should travel over one TCP connection, from '
               f'one client port, but the server saw them come from {peers[0]} and then '
               f'{peers[1]}: two connections')
    again = run(solution.script, urls[1], f'{site}/no/such/page', env=solution.env)
    lines = again.err.strip().splitlines()
    check.that(again.returncode != 0 and len(lines) == 1 and '404' in lines[0],
               'a missing page still ends in one line with the 404',
               f'a missing page should still end in one line saying HTTP Error 404; it ended '
               f'with status {again.returncode}: {last_line(again.err)}')
