from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from wallet.verify import jsonld

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


@pytest.fixture
def examples_context() -> Iterator[None]:
    """The W3C vectors use the examples context; it is served only inside these tests."""
    jsonld.register_context(
        EXAMPLES_V2,
        json.loads((VECTORS / "TEST-ONLY-credentials-examples-v2.reconstructed.json").read_text()),
    )
    yield
    jsonld.unregister_contexts()
