"""Human and JSON views of a stored credential, shared by the CLI and the terminal app.

The detail view is organised by the six components of the eCampusOntario micro-credential
framework (DOMAIN.md), and says plainly when a credential lacks one.

The text views (``credential_detail``, ``report_lines``) pass every value taken from the
credential through ``safe_text`` where it is put into a line, so a title cannot add lines or
send terminal escapes (wallet/textsafe.py). ``framework_components`` and the JSON views
keep the exact values: they are data, and whoever shows them makes them safe.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wallet.formats import claimpath
from wallet.model import CheckStatus, Credential, VerificationReport
from wallet.textsafe import safe_text

if TYPE_CHECKING:
    from wallet.api import StoredCredential

MISSING = "not stated by the issuer"
# JWT claims that are NumericDate seconds (RFC 7519): shown as dates, not numbers.
NUMERIC_DATES = frozenset({"iat", "nbf", "exp"})


@dataclasses.dataclass(frozen=True)
class Component:
    name: str
    lines: tuple[str, ...]

    @property
    def present(self) -> bool:
        return bool(self.lines)


def _endorsement_state(label: str, report: VerificationReport | None) -> str:
    """Whether the report verified this endorser's signed endorsement."""
    if report is None:
        return "not checked"
    for check in report.checks:
        if check.name == "endorsement" and check.detail.startswith(f"endorsement by {label} "):
            return "verified" if check.status is CheckStatus.PASSED else "not verified"
    return "not checked"


def framework_components(
    c: Credential, report: VerificationReport | None = None
) -> list[Component]:
    a = c.achievement
    issuing = [x for x in (c.issuer.name, c.issuer.id, c.issuer.url, c.issuer.email) if x]
    assessment: list[str] = []
    if a and a.criteria_narrative:
        assessment.append(f"Criteria: {a.criteria_narrative}")
    elif a and a.criteria_url:
        assessment.append(f"Criteria: {a.criteria_url}")
    for e in c.evidence:
        label = e.name or e.id or "evidence"
        text = e.narrative or e.description or ""
        assessment.append(f"Evidence: {label}" + (f": {text}" if text else ""))
    for r in c.results:
        bits = [x for x in (r.description, r.value, r.status, r.achieved_level) if x]
        assessment.append("Result: " + " / ".join(bits))
    competencies = []
    for al in a.alignments if a else ():
        framework = al.target_framework or ("ESCO" if al.is_esco else None)
        code = f" [{al.target_code}]" if al.target_code else ""
        where = f" <{al.target_url}>" if al.target_url else ""
        competencies.append(
            f"{al.target_name or al.target_url or 'skill'}{code}"
            + (f" ({framework})" if framework else "")
            + where
        )
    if a and a.tags:
        competencies.append("Tags: " + ", ".join(a.tags))
    outcomes = [
        x
        for x in (
            f"Type: {a.achievement_type}" if a and a.achievement_type else None,
            a.description if a and a.description and a.description != c.description else None,
            c.description,
        )
        if x
    ]
    transcript = [
        x
        for x in (
            f"Credits earned: {_num(c.credits_earned)}" if c.credits_earned is not None else None,
            f"Credits available: {_num(a.credits_available)}"
            if a and a.credits_available is not None
            else None,
            f"Field of study: {a.field_of_study}" if a and a.field_of_study else None,
            f"Specialization: {a.specialization}" if a and a.specialization else None,
            f"Code: {a.human_code}" if a and a.human_code else None,
            f"Level: {a.level}" if a and a.level else None,
            f"Term: {c.term}" if c.term else None,
            f"Part of a transcript of {len(c.nested)} credentials" if c.nested else None,
        )
        if x
    ]
    endorsement = [
        f"{e.issuer.name or e.issuer.id or 'endorser'}"
        + f" ({_endorsement_state(e.issuer.name or e.issuer.id or 'an endorser', report)})"
        + (f": {e.comment}" if e.comment else "")
        for e in c.endorsements
    ]
    return [
        Component("Issuing body", tuple(issuing)),
        Component("Summative assessment", tuple(assessment)),
        Component("Competencies / skills", tuple(competencies)),
        Component("Outcomes", tuple(outcomes)),
        Component("Transcriptable", tuple(transcript)),
        Component("Partner endorsement", tuple(endorsement)),
    ]


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def claim_rows(claims: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON Pointer, display value) of every leaf claim of an SD-JWT's claims, in pointer
    order; the top-level ``iat``, ``nbf`` and ``exp`` as ISO dates, ``cnf`` as the kind of
    key it binds to. Values are exact: whoever prints them makes them safe."""
    rows: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                walk(child, claimpath.join(path, str(key)))
        elif isinstance(value, list) and value:
            for i, child in enumerate(value):
                walk(child, claimpath.join(path, str(i)))
        else:
            rows.append((path, _value(value)))

    for key, value in claims.items():
        path = claimpath.join("", str(key))
        if key in NUMERIC_DATES and (date := numeric_date(value)) is not None:
            rows.append((path, date))
        elif key == "cnf" and isinstance(value, dict) and isinstance(value.get("jwk"), dict):
            jwk = value["jwk"]
            kind = " ".join(str(jwk[k]) for k in ("kty", "crv") if isinstance(jwk.get(k), str))
            rows.append((claimpath.join(path, "jwk"), f"a holder key ({kind or 'JWK'})"))
        else:
            walk(value, path)
    return sorted(rows, key=lambda row: claimpath.sort_key(row[0]))


def numeric_date(value: Any) -> str | None:
    """A NumericDate (seconds since 1970, UTC) as an ISO 8601 date-time, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return "{}" if isinstance(value, dict) else "[]"


def detail_claims(c: Credential) -> list[tuple[str, str]]:
    """The claims ``wallet show`` lists with their values: an SD-JWT's every claim (all
    its disclosures applied), another format's subject claims."""
    if c.format == "sd-jwt" and c.document:
        return claim_rows(c.document)
    return list(c.subject.claims)


def credential_detail(stored: StoredCredential) -> str:
    c = stored.credential
    lines = [
        safe_text(c.title),
        f"  id        {safe_text(stored.id)}",
        f"  format    {safe_text(c.format)}",
        f"  issued    {safe_text(c.issued or MISSING)}",
    ]
    if c.valid_until:
        lines.append(f"  expires   {safe_text(c.valid_until)}")
    if c.subject.name or c.subject.id:
        lines.append(f"  holder    {safe_text(c.subject.name or c.subject.id)}")
    if c.disclosable:
        lines.append(f"  selectively disclosable: {', '.join(map(safe_text, c.disclosable))}")
    else:
        lines.append("  disclosure: whole credential only (no selective disclosure)")
    for comp in framework_components(c, stored.report):
        lines.append("")
        lines.append(comp.name)
        if not comp.present:
            lines.append(f"  ({MISSING})")
        # An issuer's text may hold line breaks: each becomes its own indented line.
        lines.extend(f"  {safe_text(part)}" for x in comp.lines for part in x.splitlines())
    if c.nested:
        lines.append("")
        lines.append(f"Transcript entries ({len(c.nested)})")
    for nested in c.nested:
        issuer = nested.issuer.name or nested.issuer.id or "unknown issuer"
        lines.append(f"  - {safe_text(nested.title)} ({safe_text(issuer)})")
    claims = detail_claims(c)
    if claims:
        lines.append("")
        lines.append("Claims")
        lines.extend(f"  {safe_text(path)}: {safe_text(value)}" for path, value in claims)
    lines.append("")
    lines.append(f"Verification ({safe_text(stored.report.verified_at or 'at import')})")
    lines.extend(report_lines(stored.report.to_dict()))
    return "\n".join(lines)


def report_lines(report: dict[str, Any]) -> list[str]:
    """A report's verdict and checks, one line each (from its JSON form)."""
    lines = [f"  verdict: {safe_text(report['verdict'])}"]
    for check in report["checks"]:
        # Details quote issuer names, ids and URLs from the credential.
        detail = f"  {safe_text(check['detail'])}" if check["detail"] else ""
        lines.append(f"  {safe_text(check['status']):12} {safe_text(check['name'])}{detail}")
    return lines


def credential_json(stored: StoredCredential) -> dict[str, Any]:
    data = stored.credential.to_dict()
    data.pop("raw", None)
    data.pop("document", None)
    data["nested"] = [
        {k: v for k, v in n.items() if k not in ("raw", "document")} for n in data["nested"]
    ]
    return {
        "id": stored.id,
        "imported_at": stored.imported_at,
        "source": stored.source,
        "credential": data,
        "components": [
            {"name": comp.name, "present": comp.present, "lines": list(comp.lines)}
            for comp in framework_components(stored.credential)
        ],
        "report": stored.report.to_dict(),
    }
