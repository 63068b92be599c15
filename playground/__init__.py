"""The playground: stand-in protocol servers on 127.0.0.1 for the book's listings.

Run ``python -m playground`` to start every service, or name some of them:
``python -m playground web dns``.  See ``python -m playground -h``.
"""
