"""The yardstick for first paint: a bare Textual app with Header and Footer."""

import os
import time

from textual.app import App
from textual.widgets import Footer, Header


class Bare(App):
    def compose(self):
        yield Header()
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.painted)

    def painted(self) -> None:
        with open(os.environ["WARROOM_TRACE"], "a") as handle:
            handle.write(f"0 {time.time():.6f}\n")


Bare().run(headless=True)
