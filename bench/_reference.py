"""The yardstick for a viewer's cost per event (bench/live.py): a bare Textual app of the
dashboard's shape (Header, Footer, six bordered line panes) told of each commit by the same
change feed, repainting one pane with the newest event's id. ``_reference.py DB NAME`` (set
WARROOM_TRACE); runs headless like the viewer."""

import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App  # noqa: E402
from textual.containers import Grid  # noqa: E402
from textual.widgets import Footer, Header, Static  # noqa: E402

from warroom.db.feed import ChangeFeed  # noqa: E402


class Reference(App):
    CSS = "Grid { grid-size: 2 3; } Static { border: round $primary; height: 1fr; }"

    def __init__(self, db: str) -> None:
        super().__init__()
        self.db = db
        self.conn = sqlite3.connect(db, check_same_thread=False)
        self.seen = self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def compose(self):
        yield Header()
        with Grid():
            for n in range(6):
                yield Static(f"pane {n}", id=f"p{n}")
        yield Footer()

    def on_mount(self) -> None:
        version = lambda: self.conn.execute("PRAGMA data_version").fetchone()[0]  # noqa: E731
        self.feed = ChangeFeed(self.db, version, self.changed)
        self.run_worker(self.feed.run())
        self.call_after_refresh(self.trace, [0])

    def changed(self) -> None:
        rows = self.conn.execute("SELECT id FROM events WHERE id > ? ORDER BY id",
                                 (self.seen,)).fetchall()
        if not rows:
            return
        self.seen = rows[-1][0]
        self.query_one("#p3", Static).update(f"event {self.seen}")
        self.call_after_refresh(self.trace, [r[0] for r in rows])

    def trace(self, ids: list[int]) -> None:
        stamp = time.time()
        with open(os.environ["WARROOM_TRACE"], "a") as handle:
            handle.writelines(f"{i} {stamp:.6f}\n" for i in ids)


Reference(sys.argv[1]).run(headless=True)
