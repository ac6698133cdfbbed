"""Dates and validity periods: when a credential (or a status list) may be relied on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallet.errors import MalformedInput
from wallet.model import VALIDITY_PERIOD, Check, CheckStatus, Credential

# Issuers' clocks drift; a credential issued a minute "in the future" is not suspicious.
CLOCK_SKEW = timedelta(minutes=5)


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 / RFC 3339 date-time (or a bare date) as an aware datetime.

    Naive values are read as UTC. Raises MalformedInput with one line otherwise.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedInput(f"unreadable date {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def check_validity_period(credential: Credential, now: datetime) -> Check:
    """VALIDITY_PERIOD: not before valid_from (or issued), not after valid_until."""
    try:
        start_text = credential.valid_from or credential.issued
        start = parse_datetime(start_text) if start_text else None
        end = parse_datetime(credential.valid_until) if credential.valid_until else None
    except MalformedInput as exc:
        return Check(VALIDITY_PERIOD, CheckStatus.FAILED, str(exc))
    if start is not None and start > now + CLOCK_SKEW:
        detail = f"not yet valid (valid from {_day(start)})"
        return Check(VALIDITY_PERIOD, CheckStatus.FAILED, detail)
    if end is not None and end < now:
        return Check(VALIDITY_PERIOD, CheckStatus.FAILED, f"expired on {_day(end)}")
    since = f"valid from {_day(start)}" if start else "no start date"
    until = f"until {_day(end)}" if end else "no expiry date"
    return Check(VALIDITY_PERIOD, CheckStatus.PASSED, f"{since}, {until}")
