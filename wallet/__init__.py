"""Learner Wallet: a learner-owned, local-first credential wallet."""

__version__ = "0.1.0"
