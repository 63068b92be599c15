#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 10 - fetch_mechanize.py
# Let mechanize play the browser: open the front page, fill in its form, submit, save.

import argparse, http.client, socket, sys, warnings

import mechanize

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Submit the weather form, save phoenix.html.')
    parser.add_argument('host', nargs='?', default='localhost', help='the weather site')
    parser.add_argument('-p', '--port', type=int, default=10080, help='its HTTP port')
    args = parser.parse_args()
    socket.setdefaulttimeout(10)    # for every connection, as br.submit() takes no timeout
    # mechanize leaves a connection open when a request fails; Python mentions such a
    # leak only when asked (-W error, as our tests run), after our one-line message.
    warnings.simplefilter('ignore', ResourceWarning)
    br = mechanize.Browser()        # it reads /robots.txt first, as a polite robot should
    try:
        br.open(f'http://{args.host}:{args.port}/weather/')
        br.select_form(predicate=lambda form: 'zipcity' in form.action)
        br['inputstring'] = 'Phoenix, AZ'
        response = br.submit()
        content = response.read()
        with open('phoenix.html', 'xb') as f:     # 'x': never replace a page saved before
            f.write(content)
    except (http.client.HTTPException, mechanize.FormNotFoundError) as e:  # not the site
        sys.exit(f'fetch_mechanize: {args.host}:{args.port}: {e!r}')
    except OSError as e:      # refused, silent, 404, robots.txt (see README), file exists
        sys.exit(f'fetch_mechanize: {args.host}:{args.port}: {e}')
