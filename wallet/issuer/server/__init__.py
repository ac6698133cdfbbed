"""The reference issuer as a real HTTP server (python -m wallet.issuer serve).

Only ``app`` and ``runner`` import Starlette and uvicorn (the optional ``server`` extra);
config, state, keys, tls, credentials and status are plain modules that the command line
uses for ``offer``, ``revoke`` and ``list`` without the server stack.
"""
