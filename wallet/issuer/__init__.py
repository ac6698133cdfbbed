"""A small reference issuer: demo keys and sample credentials for the demo wallet and tests."""
