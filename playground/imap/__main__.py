"""python -m playground.imap: run the IMAP service alone."""
from playground.common import run_quietly
from playground.imap.protocol import main

run_quietly(main)
