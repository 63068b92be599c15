#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - my_trace.py
# Run a script, printing each line that one named function executes, with a timestamp.

import argparse, datetime, linecache, os, runpy, sys


def make_tracer(funcname):
    """A sys.settrace() hook that traces the lines of funcname only."""
    def trace_calls(frame, event, arg):
        if event == 'call' and frame.f_code.co_name == funcname:
            return trace_lines
        return None  # do not trace the lines of any other function

    def trace_lines(frame, event, arg):
        if event == 'line':
            filename, lineno = frame.f_code.co_filename, frame.f_lineno
            line = linecache.getline(filename, lineno).rstrip()
            stamp = datetime.datetime.now().strftime('%H:%M:%S.%f')
            print(f'{stamp} {os.path.basename(filename)}:{lineno:<4} {line}',
                  file=sys.stderr, flush=True)
        return trace_lines

    return trace_calls


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Trace the lines that one function '
                                     'of a script runs; the trace goes to stderr.')
    parser.add_argument('funcname', help='name of the function to trace')
    parser.add_argument('script', help='the script to run')
    parser.add_argument('arguments', nargs=argparse.REMAINDER, help="the script's arguments")
    args = parser.parse_args()
    if not os.path.isfile(args.script):
        parser.error(f'no such script: {args.script}')
    sys.argv = [args.script] + args.arguments
    sys.path[0] = os.path.dirname(os.path.abspath(args.script))  # as if run directly
    sys.settrace(make_tracer(args.funcname))
    runpy.run_path(args.script, run_name='__main__')
