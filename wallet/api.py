"""The wallet facade: the one API the CLI and the terminal app both call.

It glues the pure layers together (formats -> verify -> store -> present) and owns no
format or crypto logic of its own.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from wallet.catalog import Catalog, CredentialSummary, Skill
from wallet.catalog import skills as gather_skills
from wallet.errors import MalformedInput, NotFound, UsageError, VerificationFailed, WalletError
from wallet.exchange.txcode import TxCode as TxCodeRequest
from wallet.formats import claimpath
from wallet.model import CheckStatus, Credential, Verdict, VerificationReport
from wallet.network import RefreshReport, is_offer, is_remote, source_label
from wallet.present.service import (
    Built,
    PresentationResult,
    Selection,
    Signer,
    whole_credential_notes,
)
from wallet.present.service import build as build_presentation
from wallet.present.service import verify as verify_presentation_envelope
from wallet.remote import (
    AnswerOutcome,
    Consent,
    OpenRequest,
    PendingAnswer,
    SharedCredential,
    is_request,
    request_text,
    serve_request,
)
from wallet.store import KdfParams, Record, Store
from wallet.verifier.listen import Listen
from wallet.verifier.session import Outcome as VerifierOutcome
from wallet.verifier.session import RequestSpec
from wallet.verify.context import (
    CachedDocument,
    MemoryCache,
    TrustEntry,
    TrustList,
    VerifyContext,
)
from wallet.verify.documents import DocumentKind
from wallet.verify.documents import classify as classify_document
from wallet.views import (
    age_text,
    baked_badge,
    components,
    disclosable_claims,
    display_text,
    files_in,
    new_nonce,
    presentation_bytes,
    qr_codes,
    qr_codes_fitting,
    qr_matrix,
    qr_png,
    qr_svg,
    qr_terminal,
    qr_version,
    read_capped,
    read_source,
    source_bytes,
)

# Bumped when parsing a format yields more than before; older records are read again.
VIEW_VERSION = 2
CREDENTIAL = "credential"
HOLDER_KEY = "holder_key"
TRUST = "trust"
CACHE = "cache"

# A credential whose only failures are these is still the learner's record: store it
# with its report. Any other failure (signature, disclosures, proof) refuses the import.
_STORABLE_FAILURES = frozenset({"validity_period", "status"})

HolderPrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class StoredCredential:
    id: str
    credential: Credential
    report: VerificationReport
    imported_at: str
    source: str

    def summary(self) -> dict[str, Any]:
        c = self.credential
        return {
            "id": self.id,
            "format": c.format,
            "title": c.title,
            "issuer": c.issuer.name or c.issuer.id,
            "issued": c.issued,
            "verdict": self.report.verdict.value,
        }


@dataclass(frozen=True)
class ImportOutcome:
    id: str
    credential: Credential
    report: VerificationReport
    duplicate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "format": self.credential.format,
            "title": self.credential.title,
            "issuer": self.credential.issuer.name or self.credential.issuer.id,
            "verdict": self.report.verdict.value,
            "checks": [c.to_dict() for c in self.report.checks],
            "duplicate": self.duplicate,
        }


@dataclass(frozen=True)
class HolderKey:
    id: str
    alg: str
    did: str
    public_jwk: dict[str, Any]
    private_key: HolderPrivateKey

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "alg": self.alg, "did": self.did, "jwk": self.public_jwk}


def _now() -> datetime:
    return datetime.now(UTC)


def parse_credential(data: bytes) -> Credential:
    from wallet.formats import registry

    return registry.parse(data)


def verify_credential(credential: Credential, ctx: VerifyContext) -> VerificationReport:
    from wallet import engine

    return engine.verify_credential(credential, ctx)


def with_linked_documents(credential: Credential, ctx: VerifyContext) -> Credential:
    """The credential as verification reads it: an OB 2.0 badge class and issuer given by
    URL filled in from the cache, so what is stored and shown is what was checked."""
    from wallet.formats import registry

    return registry.with_linked_documents(credential, ctx)


def signature_refused(
    report: VerificationReport, *, storable: frozenset[str] = _STORABLE_FAILURES
) -> str | None:
    """The reason an import must be refused, or None when the credential may be stored;
    with ``storable`` empty, any failed check refuses it (imports from the network)."""
    for check in report.checks:
        if check.status is CheckStatus.FAILED and check.name not in storable:
            return f"{check.name}: {check.detail}" if check.detail else check.name
    return None


def _dedupe_digests(credential: Credential) -> builtins.list[str]:
    """The keys under which a credential counts as already in the wallet; the first is
    stored. A hosted OB 2.0 assertion is the same badge whatever its JSON layout (a baked
    PNG's copy and the issuer's hosted one differ in whitespace): its canonical JSON."""
    raw = hashlib.sha256(credential.raw).hexdigest()
    if credential.format != "ob2":
        return [raw]
    # A hosted assertion's document is its raw JSON as parsed: not parsed a second time.
    canonical = json.dumps(
        credential.document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    # Records stored before this rule carry the raw digest: look for it too.
    return [hashlib.sha256(b"ob2:" + canonical.encode()).hexdigest(), raw]


def _encode_private(key: HolderPrivateKey) -> str:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.b64encode(der).decode("ascii")


def _decode_private(text: str) -> HolderPrivateKey:
    key = serialization.load_der_private_key(base64.b64decode(text), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise MalformedInput("holder key record holds an unsupported key type")
    return key


class Wallet:
    """An unlocked wallet. Every method works on the encrypted store it was opened with."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.catalog = Catalog(store)

    @staticmethod
    def exists(path: Path) -> bool:
        return Store.exists(path)

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: Path, passphrase: str, *, kdf: KdfParams | None = None, allow_weak: bool = False
    ) -> tuple[Wallet, str]:
        store, recovery_key = Store.create(
            path, passphrase, kdf=kdf or KdfParams(), allow_weak=allow_weak
        )
        wallet = cls(store)
        wallet._create_holder_keys()
        return wallet, recovery_key

    @classmethod
    def open(
        cls,
        path: Path,
        passphrase: str,
        *,
        ignore_damaged: bool = False,
        idle_timeout: float = 300.0,
        accept_rollback: bool = False,
    ) -> Wallet:
        return cls(
            Store.open(
                path,
                passphrase,
                ignore_damaged=ignore_damaged,
                idle_timeout=idle_timeout,
                accept_rollback=accept_rollback,
            )
        )

    @classmethod
    def recover(cls, path: Path, recovery_key: str, new_passphrase: str) -> Wallet:
        """Open with the recovery key and set a new passphrase (re-keying every record)."""
        store = Store.open_with_recovery_key(path, recovery_key)
        try:
            store.change_passphrase(new_passphrase, recovery_key=recovery_key)
        except BaseException:
            store.close()
            raise
        return cls(store)

    def set_idle_timeout(self, seconds: float) -> None:
        """Lock (drop the keys) after ``seconds`` without use."""
        self.store.idle_timeout = seconds

    def change_passphrase(self, new_passphrase: str) -> str | None:
        """Re-key under a new passphrase; returns a new recovery key when the old one could
        not be kept (wallets made before sealed recovery slots)."""
        return self.store.change_passphrase(new_passphrase)

    def close(self) -> None:
        self.store.close()

    @property
    def damaged(self) -> list[str]:
        return list(self.store.damaged)

    # -- holder keys -----------------------------------------------------------------

    def _create_holder_keys(self) -> None:
        for alg, key in (
            ("EdDSA", ed25519.Ed25519PrivateKey.generate()),
            ("ES256", ec.generate_private_key(ec.SECP256R1())),
        ):
            self.store.put(HOLDER_KEY, {"alg": alg, "pkcs8": _encode_private(key)})

    def holder_keys(self) -> list[HolderKey]:
        from wallet.verify import keys

        result = []
        for record in self.store.list(HOLDER_KEY):
            private = _decode_private(record.data["pkcs8"])
            public = private.public_key()
            result.append(
                HolderKey(
                    id=record.id,
                    alg=record.data["alg"],
                    did=keys.did_key_from_public_key(public),
                    public_jwk=keys.jwk_from_public_key(public),
                    private_key=private,
                )
            )
        # EdDSA first: it is the default presentation key.
        return sorted(result, key=lambda k: k.alg != "EdDSA")

    def holder_key(self, alg: str | None = None) -> HolderKey:
        for key in self.holder_keys():
            if alg is None or key.alg == alg:
                return key
        raise NotFound(f"no holder key for algorithm {alg}")

    # -- verification context: trust list and cached documents ------------------------

    def trust_list(self) -> TrustList:
        entries = [TrustEntry(r.data["id"], r.data.get("name", "")) for r in self.store.list(TRUST)]
        return TrustList(tuple(sorted(entries, key=lambda e: e.id)))

    def trust_add(self, issuer_id: str, name: str = "") -> bool:
        from wallet.verify import trust_ids

        try:
            issuer_id = trust_ids.normalize(issuer_id)
        except ValueError as exc:
            raise UsageError(f"not added: {exc}") from None
        for record in self.store.list(TRUST):
            if record.data["id"] == issuer_id:
                if name and record.data.get("name") != name:
                    self.store.put(TRUST, {"id": issuer_id, "name": name}, record.id)
                return False
        self.store.put(TRUST, {"id": issuer_id, "name": name})
        return True

    def trust_remove(self, issuer_id: str) -> None:
        for record in self.store.list(TRUST):
            if record.data["id"] == issuer_id:
                self.store.delete(record.id)
                return
        raise NotFound(f"issuer {issuer_id} is not in the trust list")

    def trust_import(self, data: bytes) -> int:
        from wallet.verify import trust

        incoming = trust.load_trust_file(data)
        return sum(self.trust_add(e.id, e.name) for e in incoming.entries)

    def cache_put(
        self,
        url: str,
        data: bytes,
        *,
        fetched_at: datetime | None = None,
        media_type: str = "application/json",
    ) -> DocumentKind:
        """Keep ``data`` as the offline copy of ``url``; says what verification will use it
        for, and refuses (nothing stored) a document it would never read."""
        document = CachedDocument(url, data, fetched_at or _now(), media_type)
        return self.cache_documents([document])[0]

    def cache_documents(self, documents: Iterable[CachedDocument]) -> builtins.list[DocumentKind]:
        """Keep documents, each replacing the copy of its URL, with what each is for;
        one that verification would never read is refused, and nothing is stored."""
        documents = builtins.list(documents)
        kinds = [classify_document(d.url, d.data) for d in documents]
        existing = {r.data["url"]: r.id for r in self.store.list(CACHE)}
        for document in documents:
            payload = {
                "url": document.url,
                "data": base64.b64encode(document.data).decode("ascii"),
                "fetched_at": document.fetched_at.isoformat(),
                "media_type": document.media_type,
            }
            existing[document.url] = self.store.put(CACHE, payload, existing.get(document.url))
        return kinds

    def cache_entries(self) -> list[CachedDocument]:
        return [_cached(r) for r in self.store.list(CACHE)]

    def verify_context(self, *, now: datetime | None = None) -> VerifyContext:
        """The trust list and the cache. (Fetched documents not yet kept go on top of it
        with wallet.exchange.resolve.Gathered.context.)"""
        cache = MemoryCache({d.url: d for d in self.cache_entries()})
        return VerifyContext(cache=cache, trust=self.trust_list(), now=now or _now())

    @staticmethod
    def parse(data: bytes) -> Credential:
        return parse_credential(data)

    @staticmethod
    def verify_with(credential: Credential, ctx: VerifyContext) -> VerificationReport:
        return verify_credential(credential, ctx)

    # -- online: see wallet.network ----------------------------------------------------

    def import_url(
        self, url: str, *, progress: Callable[[str], None] | None = None
    ) -> builtins.list[ImportOutcome]:
        from wallet import network

        return network.import_url(self, url, progress=progress)

    def import_offer(
        self,
        uri: str,
        ask_tx_code: Callable[[TxCodeRequest], str],
        *,
        progress: Callable[[str], None] | None = None,
    ) -> builtins.list[ImportOutcome]:
        from wallet import network

        return network.import_offer(self, uri, ask_tx_code, progress=progress)

    def refresh(self, *, progress: Callable[[str], None] | None = None) -> RefreshReport:
        from wallet import network

        return network.refresh(self, progress=progress)

    # -- remote sharing (OpenID4VP): see wallet.remote ---------------------------------

    def read_request(
        self,
        source: str,
        *,
        verifier_cas: Iterable[Path] = (),
        timeout: float | None = None,
        prefer: Iterable[str] = (),
    ) -> PendingAnswer:
        from wallet import remote

        return remote.read_request(
            self, source, verifier_cas=tuple(verifier_cas), timeout=timeout, prefer=tuple(prefer)
        )

    def answer_request(
        self, pending: PendingAnswer, *, timeout: float | None = None
    ) -> AnswerOutcome:
        from wallet import remote

        return remote.send_answer(self, pending, timeout=timeout)

    @staticmethod
    def decline_request(pending: PendingAnswer, *, timeout: float | None = None) -> None:
        from wallet import remote

        remote.decline(pending, timeout=timeout)

    # -- credentials -----------------------------------------------------------------

    def import_bytes(self, data: bytes, *, source: str = "") -> ImportOutcome:
        from wallet import engine

        credential, report = engine.check_credential(parse_credential(data), self.verify_context())
        return self.import_checked(credential, report, source=source)

    def import_checked(
        self,
        credential: Credential,
        report: VerificationReport,
        *,
        source: str = "",
        storable: frozenset[str] = _STORABLE_FAILURES,
    ) -> ImportOutcome:
        """Store a credential already verified against this wallet's cache and trust list,
        unless ``report`` refuses it."""
        reason = signature_refused(report, storable=storable)
        if reason:
            raise VerificationFailed(f"not imported: {reason}")
        digests = _dedupe_digests(credential)
        digest = digests[0]
        for candidate in digests:
            known = self.store.find(CREDENTIAL, "sha256", candidate)
            if known is not None:
                return ImportOutcome(known.id, credential, report, duplicate=True)
        record_id = self.store.put(
            CREDENTIAL,
            {
                "credential": credential.to_dict(),
                "report": report.to_dict(),
                "imported_at": _now().isoformat(),
                "source": source,
                "sha256": digest,
                "view": VIEW_VERSION,
            },
        )
        return ImportOutcome(record_id, credential, report)

    def import_file(self, path: Path) -> builtins.list[ImportOutcome | WalletError]:
        """Import every credential one file holds; each gets its outcome or its error."""
        try:
            payloads = read_source(path)
        except WalletError as exc:
            return [exc]
        results: builtins.list[ImportOutcome | WalletError] = []
        for payload in payloads:
            try:
                results.append(self.import_bytes(payload, source=str(path)))
            except WalletError as exc:
                results.append(exc)
        return results

    def _stored(self, record: Record) -> StoredCredential:
        credential = Credential.from_dict(record.data["credential"])
        if record.data.get("view") != VIEW_VERSION:
            # Stored by an older release: read the original bytes again, so the view
            # improves with the parsers (an SD-JWT's grade and skills, say).
            with contextlib.suppress(WalletError):
                credential = parse_credential(credential.raw)
        return StoredCredential(
            id=record.id,
            credential=credential,
            report=VerificationReport.from_dict(record.data["report"]),
            imported_at=record.data.get("imported_at", ""),
            source=record.data.get("source", ""),
        )

    def summaries(self, search: str | None = None) -> list[CredentialSummary]:
        """Newest first; ``search`` matches title, description, issuer, achievement,
        alignments and skills. Answered from text prepared once per record revision."""
        return self.catalog.search(search)

    def backup(self, dest: Path, backup_passphrase: str) -> None:
        """An age-encrypted backup of the still-encrypted store."""
        from wallet.store import backup as backup_store

        backup_store.backup(self.store, dest, backup_passphrase)

    @staticmethod
    def restore(src: Path, wallet_path: Path, backup_passphrase: str) -> None:
        """Restore into an empty folder; the restored wallet is this machine's new baseline."""
        from wallet.store import backup as backup_store

        backup_store.restore(src, wallet_path, backup_passphrase)
        Store.accept_as_current(wallet_path)

    def skills(self) -> builtins.list[Skill]:
        """The skills portfolio: every competency across all credentials, by framework."""
        return gather_skills(self.store)

    def list(self, search: str | None = None) -> list[StoredCredential]:
        return [self.get(s.id) for s in self.summaries(search)]

    def resolve_id(self, prefix: str) -> str:
        """A full record id from a unique prefix (ids are long; people type the start)."""
        ids = [s.id for s in self.catalog.all()]
        if prefix in ids:
            return prefix
        matches = [i for i in ids if i.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(f"no credential with id {prefix}")
        raise UsageError(f"id prefix {prefix} matches {len(matches)} credentials; type more of it")

    def get(self, credential_id: str) -> StoredCredential:
        record = self.store.get(self.resolve_id(credential_id))
        if record.kind != CREDENTIAL:
            raise NotFound(f"no credential with id {credential_id}")
        return self._stored(record)

    def verify(self, credential_id: str) -> StoredCredential:
        """Re-verify a stored credential now and keep the new report."""
        stored = self.get(credential_id)
        report = verify_credential(stored.credential, self.verify_context())
        record = self.store.get(stored.id)
        data = dict(record.data)
        data["report"] = report.to_dict()
        self.store.put(CREDENTIAL, data, stored.id)
        return StoredCredential(
            stored.id, stored.credential, report, stored.imported_at, stored.source
        )

    def verify_all(
        self, progress: Callable[[int, int], None] | None = None
    ) -> builtins.list[tuple[StoredCredential, Verdict]]:
        """Re-verify every stored credential now (new cached keys and status lists count)
        and keep the new reports. Returns each with its previous verdict."""
        ids = [s.id for s in self.catalog.all()]
        context = self.verify_context()
        results = []
        for done, credential_id in enumerate(ids, 1):
            record = self.store.get(credential_id)
            before = self._stored(record)
            report = verify_credential(before.credential, context)
            self.store.put(CREDENTIAL, {**record.data, "report": report.to_dict()}, record.id)
            results.append(
                (
                    StoredCredential(
                        before.id, before.credential, report, before.imported_at, before.source
                    ),
                    before.report.verdict,
                )
            )
            if progress:
                progress(done, len(ids))
        return results

    def delete(self, credential_id: str) -> None:
        self.store.delete(self.get(credential_id).id)

    # -- presentations ---------------------------------------------------------------

    def signers(self) -> builtins.list[Signer]:
        return [Signer(k.private_key, k.did, k.public_jwk) for k in self.holder_keys()]

    def selections(
        self, credential_ids: Iterable[str], disclose: Iterable[str]
    ) -> builtins.list[Selection]:
        """Which claims of which credentials: ``ID:path`` targets one credential, a bare
        path every chosen credential that has it. Paths are JSON Pointers, or dotted where
        that is unambiguous; the selections hold pointers."""
        chosen = [self.get(i) for i in credential_ids]
        paths: dict[str, builtins.list[str]] = {s.id: [] for s in chosen}
        for item in disclose:
            prefix, sep, rest = item.partition(":")
            targets = [s for s in chosen if sep and prefix and s.id.startswith(prefix)]
            path = rest if targets else item
            if not targets:
                targets = [s for s in chosen if claimpath.has_claim(s.credential.document, path)]
            if not targets:
                raise UsageError(f"no chosen credential has the claim {path}")
            for target in targets:
                pointer = claimpath.resolve(target.credential.document, path)
                if pointer not in paths[target.id]:
                    paths[target.id].append(pointer)
        return [Selection(s.credential, tuple(paths[s.id])) for s in chosen]

    def unbound_warnings(self, selections: Iterable[Selection]) -> builtins.list[str]:
        """Credentials shown whole whose subject is none of this wallet's holder keys: every
        verifier will answer `unbound` (the presentation proves the credential, not that
        it is the presenter's). SD-JWTs are refused earlier, at `present`."""
        from wallet.verify import dids

        mine = {dids.did_of(k.did) for k in self.holder_keys()}
        warnings = []
        for s in selections:
            c = s.credential
            if c.format == "sd-jwt":
                continue
            subject = c.subject.id
            if subject is None or dids.did_of(subject) not in mine:
                named = f"its subject is {subject}" if subject else "it names no subject key"
                warnings.append(
                    f"'{c.title}' is not bound to your keys ({named}): every verifier will "
                    "answer 'unbound', since nothing ties it to you"
                )
        return warnings

    def present(
        self,
        credential_ids: Iterable[str],
        disclose: Iterable[str],
        *,
        audience: str,
        nonce: str,
        expires_in: int | None = None,
    ) -> Built:
        return build_presentation(
            self.selections(credential_ids, disclose),
            self.signers(),
            audience=audience,
            nonce=nonce,
            expires_in=expires_in,
        )


def verify_presentation(
    data: bytes, ctx: VerifyContext, *, audience: str, nonce: str, max_age_s: int = 300
) -> PresentationResult:
    """Verifier mode: check a presentation file (or rebuilt QR payload) offline."""
    return verify_presentation_envelope(
        data, ctx, audience=audience, nonce=nonce, max_age_s=max_age_s
    )


def _cached(record: Record) -> CachedDocument:
    return CachedDocument(
        url=record.data["url"],
        data=base64.b64decode(record.data["data"]),
        fetched_at=datetime.fromisoformat(record.data["fetched_at"]),
        media_type=record.data.get("media_type", "application/json"),
    )


__all__ = [
    "AnswerOutcome",
    "Built",
    "Consent",
    "CredentialSummary",
    "DocumentKind",
    "HolderKey",
    "ImportOutcome",
    "KdfParams",
    "Listen",
    "OpenRequest",
    "PendingAnswer",
    "PresentationResult",
    "RefreshReport",
    "RequestSpec",
    "SharedCredential",
    "Skill",
    "StoredCredential",
    "TxCodeRequest",
    "VerifierOutcome",
    "VerifyContext",
    "Wallet",
    "age_text",
    "baked_badge",
    "components",
    "disclosable_claims",
    "display_text",
    "files_in",
    "is_offer",
    "is_remote",
    "is_request",
    "new_nonce",
    "parse_credential",
    "presentation_bytes",
    "qr_codes",
    "qr_codes_fitting",
    "qr_matrix",
    "qr_png",
    "qr_svg",
    "qr_terminal",
    "qr_version",
    "read_capped",
    "read_source",
    "request_text",
    "serve_request",
    "signature_refused",
    "source_bytes",
    "source_label",
    "verify_credential",
    "verify_presentation",
    "whole_credential_notes",
]
