"""The holder's answer: which stored credentials a DCQL query can use (as ``Candidate``s),
what exactly each would show the verifier, the ``vp_token`` and its direct_post.

Presentations are made by wallet.present.service, the same code as ``wallet present``:
SD-JWT with a KB-JWT (aud = client_id, nonce = the request's), a Data Integrity VP for
``ldp_vc`` (challenge = nonce, domain = client_id), a VP-JWT for ``jwt_vc_json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wallet.errors import MalformedInput, VerificationFailed
from wallet.exchange.net import Http
from wallet.exchange.oid4vp import dcql
from wallet.formats import claimpath, sdjwt
from wallet.model import Credential
from wallet.present import sdjwt as present_sd
from wallet.present.envelope import parse_envelope
from wallet.present.service import Selection, Signer, build
from wallet.render import claim_rows
from wallet.verify import dids, keys

W3C_JSONLD = frozenset({"vc-jsonld", "clr"})
HIDDEN = frozenset({"_sd_alg", "cnf"})  # envelope members, not claims about anyone


def candidate(key: str, c: Credential, signers: Sequence[Signer]) -> dcql.Candidate | None:
    """How DCQL sees a stored credential; None for formats OpenID4VP cannot present."""
    if c.format == "sd-jwt":
        vct = c.document.get("vct")
        holder = c.holder_jwk
        bound = holder is not None and any(keys.same_public_jwk(s.jwk, holder) for s in signers)
        return dcql.Candidate(
            key, dcql.SD_JWT, c.document, vct if isinstance(vct, str) else None, bound=bound
        )
    mine = {s.did for s in signers}
    bound = c.subject.id is not None and dids.did_of(c.subject.id) in mine
    if c.format in W3C_JSONLD and "proof" in c.document:
        return dcql.Candidate(
            key, dcql.LDP_VC, c.document, types=dcql.expanded_types(c.document), bound=bound
        )
    if c.format == "vc-jwt" and not c.raw.lstrip().startswith(b"{"):
        return dcql.Candidate(
            key, dcql.JWT_VC, c.document, types=dcql.expanded_types(c.document), bound=bound
        )
    return None


@dataclass(frozen=True)
class Shown:
    """What one presented credential shows: ``disclosed`` claims are the selectively
    disclosed ones the verifier gets, ``clear`` those signed in the clear (always seen).
    ``whole`` means the credential cannot disclose claim by claim: all of it goes."""

    requested: tuple[tuple[str, str], ...]
    disclosed: tuple[tuple[str, str], ...]
    clear: tuple[tuple[str, str], ...]
    whole: bool


def _rows(claims: Mapping[str, Any]) -> list[tuple[str, str]]:
    return claim_rows({k: v for k, v in claims.items() if k not in HIDDEN})


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


def shown(c: Credential, pointers: Sequence[str]) -> Shown:
    """Exactly what presenting ``pointers`` of ``c`` reveals (computed as the verifier
    will process it: the chosen disclosures applied to the issuer-signed JWT)."""
    requested = [(p, _value_text(c.document, p)) for p in pointers]
    if c.format != "sd-jwt":
        return Shown(tuple(requested), (), tuple(_rows(c.document)), True)
    sd = sdjwt.split(c.raw.decode("ascii").strip())
    full = sdjwt.process(sd)
    chosen = present_sd.select_disclosures(sd, full, pointers)
    seen = sdjwt.process(sdjwt.split(sd.serialize(chosen)))
    selective = set(seen.paths.values())
    rows = _rows(seen.claims)
    disclosed = [r for r in rows if _under(r[0], selective)]
    clear = [r for r in rows if not _under(r[0], selective)]
    return Shown(tuple(requested), tuple(disclosed), tuple(clear), False)


def _value_text(document: Any, pointer: str) -> str:
    found, value = claimpath.lookup(document, pointer)
    if not found:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def vp_token(
    answers: Mapping[str, Sequence[tuple[Credential, Sequence[str]]]],
    signers: Sequence[Signer],
    *,
    client_id: str,
    nonce: str,
) -> dict[str, list[str | dict[str, Any]]]:
    """The vp_token (section 8.1): per credential query id, one presentation per credential."""
    token: dict[str, list[str | dict[str, Any]]] = {}
    for qid, items in answers.items():
        token[qid] = []
        for credential, pointers in items:
            built = build(
                [Selection(credential, tuple(pointers))], signers, audience=client_id, nonce=nonce
            )
            parts = parse_envelope(built.envelope).parts
            if len(parts) != 1:
                raise MalformedInput(f"'{credential.title}' did not make exactly one presentation")
            token[qid].append(parts[0].data)
    return token


@dataclass(frozen=True)
class Delivered:
    response_uri: str
    status: int
    redirect_uri: str | None = None  # where the verifier asks the user to go next


def post(http: Http, response_uri: str, fields: Mapping[str, str]) -> Delivered:
    """direct_post (section 8.2) to the response_uri; refusal by the verifier is an error."""
    response = http.post_form(response_uri, dict(fields), headers={"Accept": "application/json"})
    try:
        body = json.loads(response.content) if response.content else {}
    except (ValueError, UnicodeDecodeError):
        body = {}
    body = body if isinstance(body, dict) else {}
    if not response.ok:
        reason = body.get("error_description") or body.get("error") or f"HTTP {response.status}"
        raise VerificationFailed(f"the verifier did not accept the answer: {str(reason)[:300]}")
    redirect = body.get("redirect_uri")
    return Delivered(response.url, response.status, redirect if isinstance(redirect, str) else None)
