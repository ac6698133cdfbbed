"""The list of a wallet's credentials and its search, built once per record revision.

Summaries and their search text are made from the stored records when first needed after
unlock and then only for records that changed, so listing and search-as-you-type cost a
filter over prepared strings, never a rebuild of every credential.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wallet.model import Verdict
from wallet.store import Store

CREDENTIAL = "credential"


@dataclass(frozen=True)
class CredentialSummary:
    id: str
    format: str
    title: str
    issuer: str | None
    issued: str | None
    verdict: Verdict
    imported_at: str
    search_text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "format": self.format,
            "title": self.title,
            "issuer": self.issuer,
            "issued": self.issued,
            "verdict": self.verdict.value,
        }


def _texts(values: Iterable[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str) and v]


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def search_text(credential: Mapping[str, Any]) -> str:
    """Title, description, issuer, achievement, its alignments and tags, and skill claims
    (an SD-JWT's ``skills`` array and the like), case-folded."""
    issuer = credential.get("issuer") or {}
    achievement = credential.get("achievement") or {}
    subject = credential.get("subject") or {}
    skill_claims = [
        value
        for path, value in (subject.get("claims") or ())
        if isinstance(path, str) and "skill" in path.casefold()
    ]
    parts = _texts(
        [
            credential.get("title"),
            credential.get("description"),
            issuer.get("name"),
            issuer.get("id"),
            achievement.get("name"),
            *(a.get("target_name") for a in _dicts(achievement.get("alignments"))),
            *(achievement.get("tags") or ()),
            *(v.strip('"') if isinstance(v, str) else v for v in skill_claims),
        ]
    )
    return " ".join(parts).casefold()


def summarise(record_id: str, data: Mapping[str, Any]) -> CredentialSummary:
    credential = data["credential"]
    issuer = credential.get("issuer") or {}
    report = data.get("report") or {}
    return CredentialSummary(
        id=record_id,
        format=credential.get("format", ""),
        title=credential.get("title", ""),
        issuer=issuer.get("name") or issuer.get("id"),
        issued=credential.get("issued"),
        verdict=Verdict(report.get("verdict", Verdict.UNVERIFIABLE.value)),
        imported_at=data.get("imported_at", ""),
        search_text=search_text(credential),
    )


class Catalog:
    """Summaries of one store's credentials, newest first, kept current per revision."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_id: dict[str, tuple[int, CredentialSummary]] = {}
        self._ordered: list[CredentialSummary] = []
        self._generation = -1

    def all(self) -> list[CredentialSummary]:
        generation = self._store.generation
        if generation != self._generation:
            fresh: dict[str, tuple[int, CredentialSummary]] = {}
            for rid, revision, data in self._store.each(CREDENTIAL):
                known = self._by_id.get(rid)
                fresh[rid] = (
                    known if known and known[0] == revision else (revision, summarise(rid, data))
                )
            self._by_id = fresh
            # Newest first; the same day alphabetical by title, never by random ids alone.
            self._ordered = sorted(
                (s for _, s in fresh.values()), key=lambda s: (s.title.casefold(), s.id)
            )
            self._ordered.sort(key=lambda s: s.issued or "", reverse=True)
            self._generation = generation
        return self._ordered

    def search(self, text: str | None) -> list[CredentialSummary]:
        items = self.all()
        if not text:
            return list(items)
        needle = text.casefold()
        return [s for s in items if needle in s.search_text]


UNNAMED_FRAMEWORK = "Skills named by the issuer (no framework)"


@dataclass(frozen=True)
class Skill:
    name: str
    framework: str
    code: str | None
    url: str | None
    credentials: tuple[tuple[str, str], ...]  # (credential id, title)


def _framework_of(alignment: Mapping[str, Any]) -> str:
    framework = alignment.get("target_framework")
    url = alignment.get("target_url") or ""
    if isinstance(framework, str) and framework:
        return framework
    if "data.europa.eu/esco/" in url:
        return "ESCO"
    return UNNAMED_FRAMEWORK


def skills(store: Store) -> list[Skill]:
    """Every competency and skill across all credentials, grouped by (framework, name),
    each with the credentials that back it."""
    found: dict[tuple[str, str], dict[str, Any]] = {}

    def add(framework: str, name: str, code: Any, url: Any, backer: tuple[str, str]) -> None:
        entry = found.setdefault(
            (framework, name.casefold()),
            {"name": name, "code": code, "url": url, "credentials": {}},
        )
        entry["credentials"][backer[0]] = backer[1]

    for rid, _, data in store.each(CREDENTIAL):
        credential = data["credential"]
        backer = (rid, str(credential.get("title", "")))
        achievement = credential.get("achievement") or {}
        for alignment in _dicts(achievement.get("alignments")):
            name = alignment.get("target_name")
            if isinstance(name, str) and name:
                add(
                    _framework_of(alignment),
                    name,
                    alignment.get("target_code"),
                    alignment.get("target_url"),
                    backer,
                )
        for path, value in (credential.get("subject") or {}).get("claims") or ():
            if isinstance(path, str) and "skill" in path.casefold() and isinstance(value, str):
                add(UNNAMED_FRAMEWORK, value.strip('"'), None, None, backer)
    return [
        Skill(
            e["name"],
            framework,
            e["code"] if isinstance(e["code"], str) else None,
            e["url"] if isinstance(e["url"], str) else None,
            tuple(sorted(e["credentials"].items(), key=lambda kv: kv[1].casefold())),
        )
        for (framework, _), e in sorted(found.items())
    ]
