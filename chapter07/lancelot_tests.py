#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - lancelot_tests.py
# The load-test case: one client holds a ten-question dialog and checks every answer.

import socket, sys, unittest

import lancelot

SERVER = ('127.0.0.1', lancelot.PORT)  # the command line below may change it


class TestLancelot(unittest.TestCase):
    """The book ran this dialog under FunkLoad; bench.py repeats it thousands of times."""

    def test_dialog(self):
        """Connect, ask ten questions in turn, and check each answer."""
        with socket.create_connection(SERVER, timeout=10) as sock:
            for i in range(10):
                question, answer = lancelot.qa[i % len(lancelot.qa)]
                sock.sendall(question.encode())
                self.assertEqual(lancelot.recv_until(sock, b'.'), answer.encode())


if __name__ == '__main__':
    parser = lancelot.parse_command_line('Hold one ten-question dialog with a Launcelot '
                                         'server, and check every answer.')
    args = parser.parse_args()
    SERVER = (args.host, args.port)
    result = TestLancelot('test_dialog').run()
    for test, traceback in result.errors + result.failures:  # one line, not a traceback
        sys.exit(f'lancelot_tests: {args.host}:{args.port}: {traceback.splitlines()[-1]}')
    print('1 dialog, 10 questions, 10 right answers')
