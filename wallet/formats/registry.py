"""One entry point for every wire format: detect, unbake, dispatch.

Format modules are imported lazily by name, so a missing or broken one only affects
credentials of its own format (the others keep working).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import cast

from wallet.errors import UnsupportedInput
from wallet.formats import baking
from wallet.formats import detect as _detect
from wallet.model import SIGNATURE, Check, CheckStatus, Credential
from wallet.verify.context import VerifyContext

# format name -> module under wallet.formats that implements parse/verify_signature
MODULES: dict[str, str] = {
    _detect.OB2: "ob2",
    _detect.OB2_SIGNED: "ob2",
    _detect.CLR: "clr",
    _detect.VC_JSONLD: "vc_jsonld",
    _detect.VC_JWT: "vc_jwt",
    _detect.SD_JWT: "sdjwt",
}


def _module(fmt: str) -> ModuleType:
    name = MODULES.get(fmt)
    if name is None:
        raise UnsupportedInput(f"no parser for format {fmt!r}")
    try:
        return importlib.import_module(f"wallet.formats.{name}")
    except ImportError:
        raise UnsupportedInput(f"the {fmt} format is not available in this build") from None


def parse(data: bytes) -> Credential:
    """Parse any supported credential (baked badge images included) into a Credential."""
    fmt, parsed = _detect.detect_parsed(data)
    if fmt in (_detect.PNG, _detect.SVG):
        data = baking.unbake(data)
        fmt, parsed = _detect.detect_parsed(data)
        if fmt in (_detect.PNG, _detect.SVG):
            raise UnsupportedInput("a badge image baked inside another one is not supported")
    return parse_as(fmt, data, parsed)


def parse_as(fmt: str, data: bytes, parsed: object = None) -> Credential:
    """Parse ``data`` with the module for a format already known (from detect()).

    ``parsed``: what detect_parsed read from these exact bytes (a JSON document or a
    CompactJWS), handed to a module that can start from it (``parse_parsed``)."""
    if fmt == _detect.STATUSLIST_JWT:
        raise UnsupportedInput("this is a status list token, not a credential")
    module = _module(fmt)
    from_parsed = getattr(module, "parse_parsed", None)
    if parsed is not None and from_parsed is not None:
        return cast(Callable[[bytes, object], Credential], from_parsed)(data, parsed)
    fn = cast(Callable[[bytes], Credential], module.parse)
    return fn(data)


def verify_signature(credential: Credential, ctx: VerifyContext) -> list[Check]:
    """The signature checks for a credential, from the module of its format."""
    try:
        module = _module(credential.format)
    except UnsupportedInput as exc:
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, str(exc))]
    fn = cast(Callable[[Credential, VerifyContext], list[Check]], module.verify_signature)
    return fn(credential, ctx)


def with_linked_documents(credential: Credential, ctx: VerifyContext) -> Credential:
    """``credential`` completed from documents it only links to (OB 2.0 badge classes and
    issuer profiles given as URLs), where its format module knows how; else unchanged."""
    try:
        module = _module(credential.format)
    except UnsupportedInput:
        return credential
    fn = getattr(module, "with_linked_documents", None)
    if fn is None:
        return credential
    return cast(Callable[[Credential, VerifyContext], Credential], fn)(credential, ctx)
