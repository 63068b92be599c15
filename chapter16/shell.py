#!/usr/bin/env python3
# Foundations of Python Network Programming - Chapter 16 - shell.py
# A tiny shell that splits commands on whitespace only, to show why quoting matters.

import argparse
import subprocess


def split_words(line):
    """Split a command line on whitespace: no quotes, no escapes, no $VARIABLES."""
    return line.split()


def show(args):
    """The built-in 'show': print each argument between brackets."""
    print('Arguments:', ' '.join(f'[{arg}]' for arg in args))


def run(words):
    """Run a program with exactly these words as its arguments (no other shell involved)."""
    try:
        return subprocess.call(words)
    except OSError as exc:
        print(f'myshell: {words[0]}: {exc.strerror}')
        return 127


def main():
    """Read commands until 'exit' or end of input."""
    while True:
        try:
            line = input('myshell$ ')
        except EOFError:
            print()
            break
        words = split_words(line)
        if not words:
            continue
        if words[0] == 'exit':
            break
        elif words[0] == 'show':
            show(words[1:])
        else:
            run(words)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='A tiny shell that splits on whitespace: '
                                     '"show ARGS" prints the arguments it got, "exit" ends it, '
                                     'anything else runs as a program.')
    parser.parse_args()
    main()
