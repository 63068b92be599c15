"""Service 'imap': IMAP4rev1 over the playground's Maildir store, STARTTLS on 143, TLS on 993.

Twisted's IMAP4Server speaks the protocol, over the same Maildir store that
SMTP delivers into and POP reads.  Four layers, each readable alone:

    mime.py      the bytes of a message: MIME parts, ENVELOPE, BODYSTRUCTURE, IMAP syntax
    store.py     folders, messages, UIDs and flags over Maildir; LIST patterns
    search.py    SEARCH keys, evaluated against one message
    protocol.py  Twisted's IMAP4Server and what we override in it (a ledger at its
                 top says which Twisted defect each override works around), logging
                 in, and main()

Run alone: python -m playground.imap [--port-offset N].
"""
