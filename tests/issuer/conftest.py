"""The issuer fixtures for every test here (other folders import them by name)."""

from tests.issuer.server_fixture import http_server, issuer_server  # noqa: F401
