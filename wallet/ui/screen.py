"""The base of every screen of the app: typed access to the app that holds the wallet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from wallet.ui.app import WalletApp


class WalletScreen(Screen[None]):
    @property
    def wallet_app(self) -> WalletApp:
        from wallet.ui.app import WalletApp

        assert isinstance(self.app, WalletApp)
        return self.app
