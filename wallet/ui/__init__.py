"""The terminal app (Textual). It calls only ``wallet.api``, with ``wallet.model`` and
``wallet.errors`` for types."""
