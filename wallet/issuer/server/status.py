"""The issuer's status lists, built from the register on each request.

- ``/status/bitstring/1``: a W3C BitstringStatusListCredential (VC 2.0, revocation),
  eddsa-rdfc-2022 by ``did#key-1``; index 0 is the leftmost bit of the first byte;
- ``/status/token/1``: an IETF Token Status List (``statuslist+jwt``, ES256 by ``key-2``,
  ``iss`` the issuer, ``sub`` the list URL, 1 bit per entry, least significant bit first);
- ``/ob2/revocations`` (wallet.issuer.server.ob2): the OB 2.0 revocation list.

No ``exp``/``validUntil``: the list is signed afresh on every fetch, and a wallet offline
reports how old its copy is; ``ttl`` says how often to fetch again.
"""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from wallet.issuer.samples import VC2_CONTEXT
from wallet.issuer.server.config import IssuerConfig
from wallet.issuer.server.keys import IssuerKeys
from wallet.issuer.server.state import BITSTRING_SIZE, TOKEN_LIST_SIZE
from wallet.verify import jws, keys, suites

TTL_SECONDS = 300


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bitstring(revoked: set[int], size: int = BITSTRING_SIZE) -> bytes:
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    return bytes(bits)


def encoded_list(revoked: set[int]) -> str:
    # mtime=0: the same list gives the same bytes (and the same proof).
    return "u" + keys.b64url(gzip.compress(bitstring(revoked), mtime=0))


def bitstring_credential(
    config: IssuerConfig,
    issuer_keys: IssuerKeys,
    revoked: set[int],
    now: int,
    fault: str | None = None,
) -> dict[str, Any]:
    url = config.bitstring_url
    subject = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": encoded_list(revoked),
    }
    if fault == "not_a_credential":
        return {"id": url, "statusList": subject}
    doc: dict[str, Any] = {
        "@context": [VC2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": config.did,
        "validFrom": _iso(now),
        "credentialSubject": subject,
    }
    signer = issuer_keys.eddsa
    if fault == "foreign_key":
        # Names the issuer's key, signed by one that is not: the proof must not verify.
        return suites.sign(
            doc,
            ed25519.Ed25519PrivateKey.generate(),
            verification_method=signer.verification_method,
            created=doc["validFrom"],
        )
    return suites.sign(
        doc, signer.key, verification_method=signer.verification_method, created=doc["validFrom"]
    )


def token_bits(revoked: set[int], size: int = TOKEN_LIST_SIZE) -> bytes:
    data = bytearray(size // 8)
    for index in revoked:
        data[index // 8] |= 1 << (index % 8)
    return bytes(data)


def token_status_list(
    config: IssuerConfig,
    issuer_keys: IssuerKeys,
    revoked: set[int],
    now: int,
    fault: str | None = None,
) -> str:
    payload = {
        "iss": config.base_url,
        "sub": config.token_list_url,
        "iat": now,
        "ttl": TTL_SECONDS,
        "status_list": {"bits": 1, "lst": keys.b64url(zlib.compress(token_bits(revoked), 9))},
    }
    if fault == "not_a_credential":
        return json.dumps(payload)
    key: jws.PrivateKey = issuer_keys.es256.key
    if fault == "foreign_key":
        key = ec.generate_private_key(ec.SECP256R1())
    return jws.sign_compact(payload, key, headers={"typ": "statuslist+jwt", "kid": "key-2"})
