"""SD-JWT issuance (for the demo issuer and tests), selective-disclosure presentations with
a key-binding JWT, and their verification (RFC 9901 sections 4.3, 7.3)."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wallet.errors import MalformedInput, UsageError, WalletError
from wallet.formats import claimpath, sdjwt
from wallet.model import HOLDER_BINDING, Check, CheckStatus, Credential
from wallet.verify import jws, keys
from wallet.verify.context import VerifyContext

KB_TYP = "kb+jwt"
# The checks sdjwt.issuer_checks makes: the issuer's, not the holder's.
ISSUER_CHECKS = frozenset({"signature", "type", "disclosures"})
CLOCK_SKEW_S = 60


def _salt() -> str:
    return sdjwt.b64url(secrets.token_bytes(16))


def _disclosure(*parts: Any) -> str:
    return sdjwt.b64url(json.dumps(list(parts), ensure_ascii=False).encode("utf-8"))


def issue(
    claims: dict[str, Any],
    disclosable: Iterable[str],
    issuer_key: jws.PrivateKey,
    *,
    iss: str,
    kid: str | None = None,
    holder_jwk: dict[str, Any] | None = None,
    typ: str = "dc+sd-jwt",
    decoys: int = 0,
    hash_name: str = "sha-256",
    iat: int | None = None,
) -> str:
    """An SD-JWT in issuance form; each claim path in ``disclosable`` (a JSON Pointer, or
    dotted where unambiguous) becomes a disclosure."""
    wanted = {claimpath.resolve(claims, path) for path in disclosable}
    disclosures: list[str] = []

    def digest(text: str) -> str:
        disclosures.append(text)
        return sdjwt.digest_of(text, hash_name)

    def make(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            hidden: list[str] = []
            for key, value in node.items():
                child = claimpath.join(path, key)
                made = make(value, child)
                if child in wanted:
                    wanted.discard(child)
                    hidden.append(digest(_disclosure(_salt(), key, made)))
                else:
                    out[key] = made
            if hidden:
                out["_sd"] = sorted(hidden)
            return out
        if isinstance(node, list):
            items: list[Any] = []
            for i, value in enumerate(node):
                child = claimpath.join(path, str(i))
                made = make(value, child)
                if child in wanted:
                    wanted.discard(child)
                    items.append({"...": digest(_disclosure(_salt(), made))})
                else:
                    items.append(made)
            return items
        return node

    payload = make(claims, "")
    if wanted:
        raise UsageError(f"no claim at {sorted(wanted)[0]} to make disclosable")
    if decoys:
        fakes = [sdjwt.b64url(secrets.token_bytes(32)) for _ in range(decoys)]
        payload["_sd"] = sorted([*payload.get("_sd", []), *fakes])
    payload["_sd_alg"] = hash_name
    payload["iss"] = iss
    payload.setdefault("iat", iat if iat is not None else int(time.time()))
    if holder_jwk is not None:
        payload["cnf"] = {"jwk": holder_jwk}
    headers: dict[str, Any] = {"typ": typ}
    if kid:
        headers["kid"] = kid
    token = jws.sign_compact(payload, issuer_key, headers=headers)
    return "~".join([token, *disclosures]) + "~"


def select_disclosures(
    sd: sdjwt.SdJwt, processed: sdjwt.Processed, paths: Iterable[str]
) -> tuple[sdjwt.Disclosure, ...]:
    """The disclosures needed to show ``paths``: each one, the parents that hold it, and
    everything beneath it (disclosing ``/address`` shows the whole address)."""
    chosen: set[str] = set()
    for asked in paths:
        path = claimpath.resolve(processed.claims, asked)
        for digest, where in processed.paths.items():
            if where == path or path.startswith(where + "/") or where.startswith(path + "/"):
                chosen.add(digest)
    return tuple(d for d in sd.disclosures if d.digest in chosen)


def present(
    sd_jwt: str,
    disclose: Iterable[str],
    holder_key: jws.PrivateKey,
    *,
    audience: str,
    nonce: str,
    iat: int | None = None,
    exp: int | None = None,
) -> str:
    sd = sdjwt.split(sd_jwt)
    processed = sdjwt.process(sd)
    cnf = processed.claims.get("cnf")
    bound = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(bound, dict):
        raise UsageError(
            "this credential is not bound to a holder key: it cannot be presented with key binding"
        )
    if not keys.same_public_jwk(bound, keys.jwk_from_public_key(holder_key.public_key())):
        raise UsageError("this credential is bound to a different holder key than the one given")
    chosen = select_disclosures(sd, processed, disclose)
    base = sd.serialize(chosen)
    claims: dict[str, Any] = {
        "iat": iat if iat is not None else int(time.time()),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": sdjwt.digest_of(base, sd.hash_name),
    }
    if exp is not None:
        claims["exp"] = exp
    return base + jws.sign_compact(claims, holder_key, headers={"typ": KB_TYP})


@dataclass
class PresentedCredential:
    credential: Credential | None
    checks: list[Check]
    disclosed: list[str] = field(default_factory=list)  # selectively disclosed paths
    claims: dict[str, Any] = field(default_factory=dict)  # everything the verifier now sees

    def __iter__(self) -> Iterator[Any]:
        # Unpacks as (credential, checks, claims), the shape callers of the brief expect.
        return iter((self.credential, self.checks, self.claims))


def verify_presentation(
    text: str,
    ctx: VerifyContext,
    *,
    audience: str,
    nonce: str,
    max_age_s: int = 300,
) -> PresentedCredential:
    sd = sdjwt.split(text)
    # The disclosures are processed once, for the checks and for what is shown.
    checks, processed = sdjwt.issuer_checks_and_claims(sd, ctx)
    credential: Credential | None = None
    result = PresentedCredential(None, checks)
    if processed is None:
        return result
    try:
        credential = sdjwt.to_credential(sd, processed, sd.serialize().encode("ascii"))
    except WalletError:
        return result
    result.credential = credential
    result.disclosed = list(credential.disclosable)  # processed.paths, already sorted
    result.claims = {k: v for k, v in processed.claims.items() if k not in ("cnf", "_sd_alg")}
    checks.extend(
        _key_binding_checks(sd, processed, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s)
    )
    return result


def _key_binding_checks(
    sd: sdjwt.SdJwt,
    processed: sdjwt.Processed,
    ctx: VerifyContext,
    *,
    audience: str,
    nonce: str,
    max_age_s: int,
) -> list[Check]:
    if not sd.kb_jwt:
        return [
            Check(
                HOLDER_BINDING,
                CheckStatus.FAILED,
                "no key-binding JWT: anyone holding a copy could show it",
            )
        ]
    cnf = processed.claims.get("cnf")
    bound = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(bound, dict):
        return [
            Check(HOLDER_BINDING, CheckStatus.FAILED, "the credential names no holder key (cnf)")
        ]
    try:
        kb = jws.parse_compact(sd.kb_jwt)
        if kb.header.get("typ") != KB_TYP:
            raise MalformedInput(f"key-binding JWT typ must be {KB_TYP}")
        jws.check_header(kb.header)
        jws.verify_with_jwk(kb, bound)
        claims = kb.payload_json("key-binding JWT")
    except WalletError as exc:
        return [Check(HOLDER_BINDING, CheckStatus.FAILED, f"key-binding JWT: {exc.message}")]
    checks = []
    expected_hash = sdjwt.digest_of(sd.serialize(), sd.hash_name)
    if claims.get("sd_hash") != expected_hash:
        checks.append(
            Check(
                HOLDER_BINDING,
                CheckStatus.FAILED,
                "sd_hash does not match: disclosures were added or removed after signing",
            )
        )
    else:
        checks.append(
            Check(
                HOLDER_BINDING, CheckStatus.PASSED, "signed by the key the credential is bound to"
            )
        )
    checks.extend(
        binding_claim_checks(claims, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s)
    )
    return checks


# A nonce made to be read aloud (`wallet challenge` gives XXXX-XXXX): ASCII letters and
# digits with spaces or hyphens between them. People say and type it in either case and
# with or without the separators, so such a nonce is compared in that folded form.
_SPOKEN_NONCE = re.compile(r"[A-Za-z0-9 -]+")


def _spoken(nonce: str) -> str | None:
    """The folded form of a nonce read aloud (upper case, no separators), else None."""
    if not _SPOKEN_NONCE.fullmatch(nonce):
        return None
    folded = nonce.replace(" ", "").replace("-", "").upper()
    return folded or None


def nonce_check(signed: Any, expected: str) -> Check:
    """Whether the nonce the holder signed is the one the verifier asked for: exactly, or
    for a nonce read aloud (only letters, digits, spaces and hyphens, on both sides)
    regardless of letter case and separators. Any other nonce must be exactly equal."""
    if isinstance(signed, str) and signed == expected:
        return Check("nonce", CheckStatus.PASSED, "matches")
    folded = _spoken(expected)
    if isinstance(signed, str) and folded is not None and _spoken(signed) == folded:
        return Check("nonce", CheckStatus.PASSED, "matches (ignoring letter case and separators)")
    return Check("nonce", CheckStatus.FAILED, f"nonce {signed!r} is not the one asked for")


def binding_claim_checks(
    claims: dict[str, Any], ctx: VerifyContext, *, audience: str, nonce: str, max_age_s: int
) -> list[Check]:
    """nonce, audience and freshness of a holder's signed statement (KB-JWT or VP)."""
    checks = [nonce_check(claims.get("nonce"), nonce)]
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    checks.append(
        Check("audience", CheckStatus.PASSED, "matches")
        if audience in audiences
        else Check("audience", CheckStatus.FAILED, f"made for {aud!r}, not for {audience!r}")
    )
    now = ctx.now.timestamp()
    iat = claims.get("iat")
    exp = claims.get("exp")
    nbf = claims.get("nbf")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        checks.append(Check("freshness", CheckStatus.FAILED, "no issued-at time"))
    elif exp is not None and (isinstance(exp, bool) or not isinstance(exp, int | float)):
        checks.append(Check("freshness", CheckStatus.FAILED, "the expiry time is not a number"))
    elif nbf is not None and (isinstance(nbf, bool) or not isinstance(nbf, int | float)):
        checks.append(Check("freshness", CheckStatus.FAILED, "the not-before time is not a number"))
    elif nbf is not None and nbf > now + CLOCK_SKEW_S:
        checks.append(Check("freshness", CheckStatus.FAILED, f"not usable for {int(nbf - now)} s"))
    elif iat > now + CLOCK_SKEW_S:
        checks.append(
            Check("freshness", CheckStatus.FAILED, f"made {int(iat - now)} s in the future")
        )
    elif now - iat > max_age_s:
        checks.append(
            Check(
                "freshness",
                CheckStatus.FAILED,
                f"made {int(now - iat)} s ago; the limit is {max_age_s} s",
            )
        )
    elif exp is not None and now >= exp:
        # The holder chose this lifetime: no clock-skew allowance, or `--expires 3s`
        # would mean a minute.
        checks.append(
            Check(
                "freshness", CheckStatus.FAILED, f"the presentation expired {int(now - exp)} s ago"
            )
        )
    else:
        checks.append(
            Check("freshness", CheckStatus.PASSED, f"made {max(0, int(now - iat))} s ago")
        )
    return checks
