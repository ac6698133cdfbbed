"""Presentations: selective disclosure, holder binding, presentation files and QR transport."""
