#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 4 - forward_reverse.py
# Paranoia: does the canonical name that DNS gives for a host agree with the
# name we were given?

import argparse, socket, sys

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Compare a host name with its canonical name')
    parser.add_argument('hostname', help='hostname that you want to check')
    hostname = parser.parse_args().hostname
    try:
        infolist = socket.getaddrinfo(hostname, 0, 0, socket.SOCK_STREAM, 0,
                                      socket.AI_CANONNAME)
    except socket.gaierror as e:
        sys.exit(f'forward_reverse: {hostname}: forward name service failure: {e.strerror}')

    info = infolist[0]    # the canonical name comes with the first answer only
    canonical = info[3]
    ip = info[4][0]
    print(hostname, 'has IP address', ip, 'and the canonical name', canonical)

    # Compare in lower case, label by label. (The book called the canonical name the
    # reverse name; it is the end of the forward lookup's chain of aliases.)
    forward = hostname.lower().split('.')
    reverse = canonical.lower().split('.')
    if forward == reverse:
        print('Wow, the names agree completely!')
        sys.exit(0)

    # The book's heuristic: cut both names to the length of the shorter one and
    # compare what is left (www.example.com and example.com); failing that, for
    # names of the same length, compare all but the first label (www.example.com
    # and web.example.com), unless the label before the top-level domain is too
    # short to name an organization (the 'co' of a.co.uk and b.co.uk).
    length = min(len(forward), len(reverse))
    if (forward[-length:] == reverse[-length:]
            or (len(forward) == len(reverse) > 1 and forward[1:] == reverse[1:]
                and len(forward[-2]) > 2)):
        print('The two names have a lot in common')
    else:
        print('WARNING! The canonical name belongs to a different organization')
