from __future__ import annotations

import base64
import json

import pytest

from wallet.errors import UnsupportedInput
from wallet.formats import baking, detect, registry
from wallet.model import SIGNATURE, CheckStatus, Credential
from wallet.verify.context import VerifyContext


def test_missing_format_module_is_unsupported(monkeypatch) -> None:
    monkeypatch.setitem(registry.MODULES, "vc-jsonld", "no_such_module_here")
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    with pytest.raises(UnsupportedInput, match="vc-jsonld format is not available"):
        registry.parse(json.dumps(vc).encode())
    cred = Credential(format="vc-jsonld", raw=b"{}", title="t")
    (check,) = registry.verify_signature(cred, VerifyContext())
    assert check.name == SIGNATURE and check.status is CheckStatus.NOT_CHECKED


def test_status_list_token_is_not_a_credential() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"ES256","typ":"statuslist+jwt"}').rstrip(b"=")
    with pytest.raises(UnsupportedInput, match="status list token"):
        registry.parse(header + b".e30.c2ln")


def test_ob3_payload_in_png_is_dispatched_to_jsonld(heart: bytes, monkeypatch) -> None:
    seen: list[bytes] = []
    carried: list[object] = []

    def fake_parse_as(fmt: str, data: bytes, parsed: object = None) -> Credential:
        seen.append(data)
        carried.append(parsed)
        return Credential(format=fmt, raw=data, title="ob3")

    monkeypatch.setattr(registry, "parse_as", fake_parse_as)
    ob3 = json.dumps(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
        }
    ).encode()
    cred = registry.parse(baking.bake_png(heart, ob3, "openbadgecredential"))
    assert cred.format == "vc-jsonld" and seen == [ob3]
    # detection's reading of the unbaked bytes is handed on, not the image's
    assert carried == [json.loads(ob3)]


def test_image_inside_image_refused(heart: bytes) -> None:
    with pytest.raises(UnsupportedInput, match="baked inside"):
        registry.parse(baking.bake_png(heart, heart[:8] + b"x" * 10))


def test_every_format_has_a_module() -> None:
    formats = {
        detect.OB2,
        detect.OB2_SIGNED,
        detect.CLR,
        detect.VC_JSONLD,
        detect.VC_JWT,
        detect.SD_JWT,
    }
    assert formats == set(registry.MODULES)
