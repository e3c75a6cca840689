"""``warroom who [INC]``: who has warroom open now, in which incident, since when (the
dashboard's footer says "also here: ..."). Presence is :mod:`warroom.db.presence`."""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, print_json, verb


def cmd_who(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.clock import span, when, zone_note
    from warroom.db import presence

    now = presence.now_utc()
    with ctx.store() as store:
        key = store.find_incident(args.incident)["key"] if args.incident else None
        found = presence.present(store.conn, now)
    if key is not None:
        found = [h for h in found if h.incident_key == key]
    if args.json:
        print_json([{"incident": h.incident_key, "name": h.name, "os_user": h.os_user,
                     "display_name": h.display_name, "since": h.since.isoformat(),
                     "last_seen": h.last_seen.isoformat(), "host": h.host, "pid": h.pid}
                    for h in found])
        return 0
    if not found:
        print(f"nobody has {key} open" if key else "nobody has warroom open")
        return 0
    width = max(len(h.who) for h in found)
    for h in sorted(found, key=lambda h: (h.incident_key is None, h.incident_key or "",
                                          h.since)):
        room = h.incident_key or "(picking)"  # the incident picker: in no room yet
        print(f"{room:<10}  {h.who:<{width}}  since {when(h.since, now)} "
              f"({span(now - h.since)})  on {h.host}, pid {h.pid}")
    print(zone_note(now))
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "who", [common, reading],
             help="who has warroom open now: name, incident, since when (a process that "
             "quit or died drops off)",
             example="warroom who\n  warroom who INC-1001 --json", handler=cmd_who)
    p.add_argument("incident", nargs="?", help="only this incident (default: every one)")
