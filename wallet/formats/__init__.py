"""Wire formats: detect bytes, parse them into a normalized ``Credential``, check signatures.

Each format module offers ``parse(data: bytes) -> Credential`` and
``verify_signature(credential, ctx) -> list[Check]``; ``registry`` picks the module.
"""
