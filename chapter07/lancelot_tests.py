#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - lancelot_tests.py
# The load-test case: one client holds a ten-question dialog and checks every answer.

import argparse
import socket
import sys
import time

import lancelot


def dialog(host, port, questions=10):
    """Connect, ask the questions in turn, check each answer; return the time taken."""
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=10) as sock:
        for i in range(questions):
            question, expected = lancelot.qa[i % len(lancelot.qa)]
            sock.sendall(question.encode('ascii'))
            answer = lancelot.recv_until(sock, b'.').decode('ascii')
            if answer != expected:
                raise AssertionError(f'asked {question!r}, expected {expected!r}, '
                                     f'got {answer!r}')
    return time.perf_counter() - start


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Hold one ten-question dialog with a '
                                     'Launcelot server and check every answer.')
    parser.add_argument('host', nargs='?', default='127.0.0.1',
                        help='server host (default: %(default)s)')
    parser.add_argument('-p', '--port', type=int, default=lancelot.PORT,
                        help='server port (default: %(default)s)')
    parser.add_argument('-n', '--questions', type=int, default=10,
                        help='how many questions (default: %(default)s)')
    args = parser.parse_args()
    peer = f'{args.host}:{args.port}'
    try:
        elapsed = dialog(args.host, args.port, args.questions)
    except AssertionError as exc:
        sys.exit(f'lancelot_tests.py: {peer}: wrong answer: {exc}')
    except EOFError as exc:
        sys.exit(f'lancelot_tests.py: {peer}: the server hung up ({exc})')
    except socket.gaierror as exc:
        sys.exit(f'lancelot_tests.py: {args.host}: name not found ({exc.strerror})')
    except TimeoutError:
        sys.exit(f'lancelot_tests.py: {peer}: timed out waiting for an answer')
    except OSError as exc:
        sys.exit(f'lancelot_tests.py: {peer}: {exc.strerror or exc}')
    print(f'{args.questions} questions, {args.questions} right answers, '
          f'in {elapsed * 1000:.1f} ms')
