"""The connection settings a deployable needs: one per store or component its code talks to.

One derivation serves every deployable (a service, the modular monolith, the real-time gateway, a deliverer): a
component names who uses it (``services`` for services and modules, ``parts`` for other components), and each user
gets that component's setting. A deployable listing fewer settings than the stores its code uses cannot start where
the design puts it (a messages service keeping rows in ScyllaDB, documents in OpenSearch and events in RabbitMQ with
only ``DATABASE_URL``), and one listing a setting for a store it never touches hands it credentials it has no use for.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend_architect.ir.runtime import Component

#: Kinds of component a deployable connects to itself (stores and message carriers). Load balancers, CDNs and gateways
#: stand in front of it, and workers and schedulers run as its processes, so none of these needs a setting of its own.
CONNECTED_KINDS = frozenset({"cache", "broker", "queue", "search-engine", "key-value", "wide-column", "object-store", "warehouse"})

#: The names the generated project's settings read (``scaffold/static/python/core/config.py``); any other component's
#: setting is named for the component, so two stores of one kind never share a name.
SETTING_BY_KIND = {"cache": "REDIS_URL", "broker": "BROKER_URL", "search-engine": "SEARCH_URL", "object-store": "OBJECT_STORE_URL"}


def setting_name(component: Component) -> str:
    """The environment variable holding where ``component`` runs and the credentials to reach it.

    >>> setting_name(Component(name="redis", kind="cache", technology="Redis 7", purpose="caches"))
    'REDIS_URL'
    >>> setting_name(Component(name="wide-column-store", kind="wide-column", technology="ScyllaDB", purpose="messages"))
    'WIDE_COLUMN_STORE_URL'
    """
    return SETTING_BY_KIND.get(component.kind) or f"{component.name.upper().replace('-', '_')}_URL"


def connection_settings(components: Iterable[Component], users: set[str]) -> list[str]:
    """The settings of the connected components any of ``users`` (service, module or component names) uses, in the
    components' order, each once.

    >>> redis = Component(name="redis", kind="cache", technology="Redis 7", purpose="caches", services=["a"], parts=["gw"])
    >>> lb = Component(name="lb", kind="load-balancer", technology="HAProxy", purpose="front", services=["a"])
    >>> connection_settings([redis, lb], {"a"}), connection_settings([redis, lb], {"gw"}), connection_settings([redis], {"b"})
    (['REDIS_URL'], ['REDIS_URL'], [])
    """
    names: list[str] = []
    for component in components:
        if component.kind in CONNECTED_KINDS and users & {*component.services, *component.parts}:
            name = setting_name(component)
            if name not in names:
                names.append(name)
    return names
