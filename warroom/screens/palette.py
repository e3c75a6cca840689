"""Command palette provider: every dashboard action by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from warroom.screens.dashboard import ACTIONS


class WarroomCommands(Provider):
    """Offers each action of the dashboard (claim, hand over, update...) in the palette."""

    def _commands(self):
        app = self.app
        if app.wall:
            return []
        commands = [(description, partial(app.open_form, form), f"key {key}")
                    for key, form, _, description, _ in ACTIONS]
        commands.append(("Switch incident", app.action_pick, "key i"))
        commands.append(("Load older timeline events", app.load_older, "key o"))
        commands.append(("Escalation metrics and weekly trends", app.action_metrics, "key t"))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
