"""Offline verification: signature suites, key resolution, status, trust. No storage, no UI."""
