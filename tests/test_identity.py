"""Who acted: the OS user in the journal is the process's real user, never the environment."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys


def test_a_spoofed_logname_or_user_does_not_change_the_recorded_os_user(tmp_path):
    real = pwd.getpwuid(os.getuid()).pw_name
    spoofed = "alice" if real != "alice" else "mallory"
    env = os.environ | {"WARROOM_DB": str(tmp_path / "room.db"), "TZ": "UTC",
                        "LOGNAME": spoofed, "USER": spoofed, "LNAME": spoofed,
                        "USERNAME": spoofed}

    def warroom(*argv: str) -> str:
        done = subprocess.run([sys.executable, "-m", "warroom", *argv], capture_output=True,
                              text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    warroom("open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
            "--as", spoofed)
    warroom("claim", "INC-1001", "lead", "--as", "sam")
    log = json.loads(warroom("log", "INC-1001", "--json"))
    assert [e["os_user"] for e in log] == [real, real]
    assert [e["display_name"] for e in log] == [spoofed, "sam"]
