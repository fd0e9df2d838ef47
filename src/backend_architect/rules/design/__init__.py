"""The design critic: rules that check a finished design against itself (DES codes).

A generated design must hold together: every technology a decision chose runs in the
topology, nothing runs that a decision rejected, request bodies take nothing the server owns,
an aggregate's rows live on one shard, links exist once and go when either side goes. These
rules read only the IR, so they also check an architecture assembled by hand.
"""

from __future__ import annotations

import re

#: Technology families a decision may choose and a component may run, by the words that name them.
FAMILIES: dict[str, re.Pattern[str]] = {
    "Redis": re.compile(r"\bredis\b|\bvalkey\b", re.IGNORECASE),
    "Kafka": re.compile(r"\bkafka\b", re.IGNORECASE),
    "RabbitMQ": re.compile(r"\brabbitmq\b", re.IGNORECASE),
    "OpenSearch": re.compile(r"\bopensearch\b|\belasticsearch\b", re.IGNORECASE),
    "object storage": re.compile(r"object storage|\bs3\b", re.IGNORECASE),
    "CDN": re.compile(r"\bcdn\b", re.IGNORECASE),
}


def families(text: str) -> set[str]:
    """The technology families a text names.

    >>> sorted(families("Apache Kafka fed by CDC; Redis lists"))
    ['Kafka', 'Redis']
    """
    return {name for name, pattern in FAMILIES.items() if pattern.search(text)}


def not_needed(choice: str) -> bool:
    """A decision that chose nothing."""
    return bool(re.match(r"\s*(not needed|none\b|no\b)", choice, re.IGNORECASE))


def not_applied(choice: str) -> bool:
    """A pattern the spec author forbade: its choice names what was not built."""
    return choice.lstrip().lower().startswith("not applied")
