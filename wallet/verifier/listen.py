"""Where the verifier listens: loopback by default; another address only when the user
names it. Holders fetch only https (or http to their own machine), so a LAN address needs
a certificate and key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wallet.errors import UsageError


@dataclass(frozen=True)
class Listen:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    certfile: Path | None = None
    keyfile: Path | None = None

    @classmethod
    def parse(cls, text: str, certfile: Path | None = None, keyfile: Path | None = None) -> Listen:
        host, sep, port = text.rpartition(":")
        if not sep or not port.isdigit() or int(port) > 65535:
            raise UsageError(f"--serve takes HOST:PORT (port 0 picks a free one), not {text!r}")
        host = host.strip("[]") or "127.0.0.1"
        if (certfile is None) != (keyfile is None):
            raise UsageError("give both --tls-cert and --tls-key, or neither")
        listen = cls(host, int(port), certfile, keyfile)
        if not listen.loopback and certfile is None:
            raise UsageError(
                f"{host} is not this machine: wallets fetch only https from other machines, so"
                " serving there needs --tls-cert and --tls-key (holders trust its CA with"
                " WALLET_CA_FILE)"
            )
        return listen

    @property
    def loopback(self) -> bool:
        # The wallet's own rule for where plain http may go; imported here, as httpx is
        # slow to import and wallet.api (every CLI start) imports this module.
        from wallet.exchange.net import is_loopback

        return is_loopback(self.host)

    def base_url(self, port: int, mount: str = "/oid4vp") -> str:
        scheme = "https" if self.certfile else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{port}{mount}"
