"""The reference issuer's example verifier, mounted at ``/verifier``: the OpenID4VP request
and ``direct_post`` endpoints of wallet.verifier with its web page, so that one machine
can show both sides (issue a credential, then ask for it the standard way).

Its page asks, by default, for the programme credential (SD-JWT VC) and three of its
claims. Answers are judged exactly as ``wallet request`` judges them, with a verification
context made from this issuer's own published documents (DID document, jwt-vc-issuer
metadata, status lists, read in process, as a verifier would have cached them) and a trust
list that holds this college: its credentials come out ``valid``, anyone else's
``valid_untrusted_issuer`` at best. Requests are signed by a did:key made at start-up.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.routing import Mount

from wallet.issuer.server import credentials, ob2, status
from wallet.issuer.server.keys import COLLEGE_NAME
from wallet.issuer.server.state import BITSTRING, TOKEN
from wallet.verifier.app import Sessions, ephemeral_signer, verifier_app
from wallet.verifier.session import RequestSpec
from wallet.verify.context import CachedDocument, MemoryCache, TrustEntry, TrustList, VerifyContext

if TYPE_CHECKING:
    from wallet.issuer.server.app import Issuer

MOUNT = "/verifier"
EXAMPLE_CLAIMS = ("given_name", "family_name", "grade")


def example_spec(issuer: Issuer) -> RequestSpec:
    """What the page asks for unless told otherwise: the programme credential's result."""
    return RequestSpec(
        format=credentials.SD_JWT,
        type=issuer.config.url("/vct/programme"),
        claims=EXAMPLE_CLAIMS,
        purpose=f"Check the {credentials.PROGRAMME} result",
        name=f"{COLLEGE_NAME} (example verifier)",
    )


def _json(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def own_context(issuer: Issuer) -> VerifyContext:
    """This issuer's documents as of now (honest ones: the misbehaviour settings are for the
    wallet's client tests), and a trust list of this college."""
    config, keys, store = issuer.config, issuer.keys, issuer.store
    now = int(time.time())
    at = datetime.fromtimestamp(now, UTC)
    documents = {
        "/.well-known/did.json": (_json(keys.did_document()), "application/did+json"),
        "/partner/did.json": (_json(keys.partner_document()), "application/did+json"),
        "/.well-known/jwt-vc-issuer": (_json(keys.jwt_vc_issuer(config)), "application/json"),
        "/status/bitstring/1": (
            _json(status.bitstring_credential(config, keys, store.revoked_indices(BITSTRING), now)),
            "application/vc+ld+json",
        ),
        "/status/token/1": (
            status.token_status_list(config, keys, store.revoked_indices(TOKEN), now).encode(),
            "application/statuslist+jwt",
        ),
        "/ob2/issuer": (_json(ob2.issuer_profile(config)), "application/json"),
    }
    cache = MemoryCache()
    for path, (data, media_type) in documents.items():
        cache.put(CachedDocument(config.url(path), data, at, media_type))
    trust = TrustList(
        (TrustEntry(config.did, COLLEGE_NAME), TrustEntry(config.base_url, COLLEGE_NAME))
    )
    return VerifyContext(cache=cache, trust=trust, now=at)


def mount(issuer: Issuer) -> Mount:
    """The example verifier, to add to the issuer's routes."""
    sessions = Sessions(
        issuer.config.url(MOUNT), lambda: own_context(issuer), signer=ephemeral_signer()
    )
    app = verifier_app(sessions, page=True, example=example_spec(issuer))
    return Mount(MOUNT, app=app)
