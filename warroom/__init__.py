"""warroom: ownership, deadlines and decisions of a customer escalation, at a glance."""

__version__ = "0.1.0"
