"""One exception tree for the whole wallet.

Every error carries a stable machine code (``code``) and the CLI exit code it maps to
(``exit_code``); messages are one plain line meant for a person.
"""

from __future__ import annotations


class WalletError(Exception):
    """Base of every error the wallet raises on purpose."""

    code = "wallet_error"
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class UsageError(WalletError):
    code = "usage"
    exit_code = 2


class LockedError(WalletError):
    """The wallet could not be unlocked (wrong passphrase, or auto-locked)."""

    code = "locked"
    exit_code = 3


class WrongPassphrase(LockedError):
    code = "wrong_passphrase"

    def __init__(self, message: str = "wrong passphrase") -> None:
        super().__init__(message)


class NotFound(WalletError):
    code = "not_found"
    exit_code = 4


class MalformedInput(WalletError):
    """Input that cannot be parsed, or is too large, or of a format we do not read."""

    code = "malformed"
    exit_code = 5


class UnsupportedInput(MalformedInput):
    code = "unsupported"


class LinkOnly(UnsupportedInput):
    """The source holds only a link (a QR code of a URL or credential offer, a badge that
    names its hosted assertion): what it points at must be fetched."""

    code = "link_only"

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class InputTooLarge(MalformedInput):
    code = "too_large"


class NetworkError(WalletError):
    code = "network"
    exit_code = 6


class IntegrityError(WalletError):
    """The store was tampered with or damaged; ``record_id`` names the record when known."""

    code = "integrity"
    exit_code = 7

    def __init__(self, message: str, *, record_id: str | None = None) -> None:
        super().__init__(message)
        self.record_id = record_id


class RollbackDetected(IntegrityError):
    """The wallet file is older than the one last opened on this machine."""

    code = "rollback"


class StorageError(WalletError):
    """A write could not be made durable (disk full, I/O error); nothing was changed."""

    code = "storage"
    exit_code = 8


class VerificationFailed(WalletError):
    """A credential or presentation did not verify; raised where a caller must not go on."""

    code = "verification_failed"
    exit_code = 1
