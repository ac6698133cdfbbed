"""The transaction code an OpenID4VCI offer may ask for: sent to the learner by another
channel (an e-mail, a text), typed in, and checked against the offer's hints before sending."""

from __future__ import annotations

from dataclasses import dataclass

from wallet.errors import UsageError


@dataclass(frozen=True)
class TxCode:
    length: int | None
    input_mode: str  # "numeric" or "text"
    description: str | None

    def question(self) -> str:
        """What to ask the learner, with the offer's own hint (shown as data, unformatted)."""
        size = f"{self.length}-" if self.length else ""
        kind = "digit" if self.input_mode == "numeric" else "character"
        hint = f" ({self.description})" if self.description else ""
        return f"The {size}{kind} transaction code the issuer sent you{hint}"

    def check(self, value: str) -> None:
        # isdigit alone takes "²" and other scripts' digits, which no issuer's code holds.
        if self.input_mode == "numeric" and not (value.isascii() and value.isdigit()):
            raise UsageError("the transaction code is digits only (0-9); nothing was sent")
        if self.length is not None and len(value) != self.length:
            raise UsageError(
                f"the transaction code has {self.length} characters, not {len(value)}; "
                "nothing was sent"
            )
