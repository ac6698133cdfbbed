"""Verification of one credential: signature, validity period, status, issuer trust.

The orchestration above both layers: it runs the format's own checks (wallet.formats,
through its registry) and the format-free primitives (wallet.verify) and turns them into
one report. Neither layer imports this module; wallet.verify never imports wallet.formats.

Pure: everything comes from the credential and the VerifyContext (cache, trust list,
clock). The verdict itself is VerificationReport's rule (ARCHITECTURE.md section 4).
"""

from __future__ import annotations

from wallet.errors import MalformedInput, UnsupportedInput
from wallet.formats import registry
from wallet.model import (
    SIGNATURE,
    STATUS,
    Check,
    CheckStatus,
    Credential,
    VerificationReport,
)
from wallet.verify import status as status_mod
from wallet.verify import trust as trust_mod
from wallet.verify.context import VerifyContext
from wallet.verify.period import check_validity_period, parse_datetime

__all__ = ["check_validity_period", "parse_datetime", "verify_credential"]


def signature_checks(credential: Credential, ctx: VerifyContext) -> list[Check]:
    """The format module's signature checks; a refusal to parse the proof is a check too."""
    try:
        return registry.verify_signature(credential, ctx)
    except UnsupportedInput as exc:
        return [Check(SIGNATURE, CheckStatus.NOT_CHECKED, str(exc))]
    except MalformedInput as exc:
        return [Check(SIGNATURE, CheckStatus.FAILED, str(exc))]


def status_checks(credential: Credential, ctx: VerifyContext) -> list[Check]:
    if not credential.status:
        return [Check(STATUS, CheckStatus.NOT_CHECKED, "the credential has no status list entry")]
    return _status(credential, ctx)


def _status(credential: Credential, ctx: VerifyContext) -> list[Check]:
    # A W3C status list is a credential: read and checked by the same format code.
    return status_mod.check_status(
        credential, ctx, verify_list=registry.verify_signature, parse_list=registry.parse
    )


def _nested_checks(credential: Credential, ctx: VerifyContext) -> list[Check]:
    """Validity and status of credentials carried inside another (a CLR's achievements).

    Their signatures are the wrapping format's business (its verify_signature reports
    them); here they get the same period and status rules, labelled with their title.
    """
    checks: list[Check] = []
    for inner in credential.nested:
        label = f"nested credential {inner.title!r}: "
        inner_checks = [check_validity_period(inner, ctx.now)]
        if inner.status:
            inner_checks.extend(_status(inner, ctx))
        checks.extend(Check(c.name, c.status, label + c.detail) for c in inner_checks)
        checks.extend(_nested_checks(inner, ctx))
    return checks


def verify_credential(
    credential: Credential,
    ctx: VerifyContext,
    *,
    signatures: list[Check] | None = None,
) -> VerificationReport:
    """Run every check on ``credential`` and return the report (verdict included).

    ``signatures``: the format's signature checks when the caller has just made them on
    these exact bytes (a presentation's SD-JWT), so they are not made twice."""
    return check_credential(credential, ctx, signatures=signatures)[1]


def check_credential(
    credential: Credential,
    ctx: VerifyContext,
    *,
    signatures: list[Check] | None = None,
) -> tuple[Credential, VerificationReport]:
    """The credential as the checks read it, and their report: an OB 2.0 badge class and
    issuer named by URL are filled in from the cache, so what is stored and shown is what
    was checked."""
    credential = registry.with_linked_documents(credential, ctx)
    checks: list[Check] = []
    if signatures is None:
        signatures = signature_checks(credential, ctx)
    checks.extend(signatures)
    checks.append(check_validity_period(credential, ctx.now))
    checks.extend(status_checks(credential, ctx))
    checks.extend(_nested_checks(credential, ctx))
    # Trust follows authentication: a trusted name on an unproven credential means nothing.
    authenticated = any(c.name == SIGNATURE for c in signatures) and all(
        c.status is CheckStatus.PASSED for c in signatures if c.name == SIGNATURE
    )
    checks.append(trust_mod.check_trust(credential, ctx, authenticated=authenticated))
    return credential, VerificationReport(checks=tuple(checks), verified_at=ctx.now.isoformat())
