#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 16 - shell.py
# A tiny shell that splits command lines on whitespace and nothing else, to show why quoting matters.

import argparse, subprocess


def main():
    """Read commands until 'exit' or end of input; 'show' prints the arguments it was given."""
    while True:
        try:
            words = input('myshell$ ').split()   # no quotes, no escapes, no $VARIABLES
        except EOFError:
            print()
            break
        if not words:
            continue
        elif words[0] == 'exit':
            break
        elif words[0] == 'show':
            print('Arguments:', ' '.join(f'[{word}]' for word in words[1:]))
        else:
            try:
                subprocess.call(words)   # exactly these words, no other shell involved
            except OSError as e:
                print(f'myshell: {words[0]}: {e.strerror}')


if __name__ == '__main__':
    argparse.ArgumentParser(description='A tiny shell that splits on whitespace: "show ARGS" '
                            'prints the arguments it got, "exit" ends it, anything else '
                            'runs as a program.').parse_args()
    main()
