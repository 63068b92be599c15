#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - shell.py
# A tiny shell that splits command lines on whitespace and nothing else, to show why quoting matters.
# Exercise solution: split the way a Unix shell does (quotes, backslashes), and a
# 'quote' command that prints its arguments quoted for a shell.

import argparse, shlex, subprocess


def main():
    """Read commands until 'exit' or end of input; 'show' prints the arguments it was given."""
    while True:
        try:
            line = input('myshell$ ')
        except EOFError:
            print()
            break
        try:
            words = shlex.split(line)   # quotes group words, a backslash escapes, as in sh
        except ValueError as e:         # an unclosed quote: say so, and go on
            print(f'myshell: {e}')
            continue
        if not words:
            continue
        elif words[0] == 'exit':
            break
        elif words[0] == 'show':
            print('Arguments:', ' '.join(f'[{word}]' for word in words[1:]))
        elif words[0] == 'quote':
            print(shlex.join(words[1:]))   # a line a shell splits back into these words
        else:
            try:
                subprocess.call(words)   # exactly these words, no other shell involved
            except OSError as e:
                print(f'myshell: {words[0]}: {e.strerror}')


if __name__ == '__main__':
    argparse.ArgumentParser(description='A tiny shell that splits like a Unix shell: "show '
                            'ARGS" prints the arguments it got, "quote ARGS" quotes them '
                            'for a shell, "exit" ends it, anything else runs as a '
                            'program.').parse_args()
    main()
