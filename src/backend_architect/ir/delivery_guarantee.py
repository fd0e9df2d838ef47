"""What a real-time path promises, told one way: the guarantee of its weakest hop.

A pushed message travels write -> (outbox or CDC log) -> broker -> the gateway's consumer group -> Redis pub/sub -> the
gateway node holding the subscriber -> the client. The hops up to the consumer group acknowledge and redeliver (at least
once, so a push can arrive twice: clients skip ids they have). The pub/sub hop acknowledges nothing and keeps nothing: a
gateway node not subscribed at the moment of a PUBLISH (restarting, reconnecting to Redis, too slow) never gets it, while
its clients stay connected and do not know. The path as a whole is therefore **best effort live** (a push may be
dropped, or arrive twice); it is complete only where a catch-up read returns what the live stream dropped. Every sentence
that states the guarantee (the delivery ADR, the sequence diagrams, the AsyncAPI payloads, the gateway's drain) takes it
from here, so no text promises "at least once" over a hop that cannot keep it.
"""

from __future__ import annotations

from backend_architect.ir.catch_up import Reconnect, reconnects
from backend_architect.ir.model import Architecture

#: The pub/sub hop into the gateway's nodes, as a sequence diagram labels it.
PUBSUB_HOP = "at most once: pub/sub keeps nothing"


def path_guarantee(how: str) -> str:
    """The end-to-end guarantee of a real-time path whose last hop is pub/sub, given what a reconnecting client reads
    (``cursor``: what it missed, from a cursor; ``current``/``latest``: the current row or value; ``none``: nothing).

    Why: the pub/sub hop may drop a push whatever the hops before it promise, and those hops redeliver, so the path is
    neither at most once nor at least once live: it is best effort, and the text says both ways it can fail in one
    sentence (a path called "at most once" that may also deliver twice contradicts itself). What completes it is the
    catch-up read, and where there is none the text says a dropped push is lost.

    >>> "complete on catch-up" in path_guarantee("cursor")
    True
    >>> path_guarantee("none").split("; ")[-1]
    'a dropped push is lost (no catch-up read)'
    """
    live = (
        "live delivery is best effort: a push may be dropped (Redis pub/sub keeps nothing: a gateway node that misses a publish "
        "drops it while its clients stay connected) or arrive twice (the hops before pub/sub redeliver; clients skip ids they have)"
    )
    if how == "cursor":
        return f"{live}; the path is complete on catch-up (the cursor read returns what the stream dropped)"
    if how == "current":
        return f"{live}; a dropped push is made good by the next one or by the re-read on reconnect, not replayed"
    if how == "latest":
        return f"{live}; a dropped push is superseded by the next value, not recovered"
    return f"{live}; a dropped push is lost (no catch-up read)"


#: What a client gets back on reconnect, per kind of channel, as the gateway's drain says it.
_RESUMES = {
    "cursor": "resume from their last cursor",
    "current": "re-read the current value",
    "next": "get the next value pushed (a value pushed meanwhile is replaced, not kept)",
    "push": "fetch nothing (a recipient whose presence key lapsed got push notifications; one still marked online lost what was pushed meanwhile)",
    "none": "lose what was pushed meanwhile (no catch-up read)",
}


def drain_resume(groups: dict[str, list[str]]) -> str:
    """What a client of a drained gateway node gets back, per kind of reconnect (``resumes``), naming the channels where
    kinds differ.

    Why: "resume from their last cursor" holds for a channel whose reconnect pages what it missed; said of every channel, it
    promises a catch-up a channel without one cannot give.

    >>> drain_resume({"cursor": ["a/{id}/x"]})
    'resume from their last cursor'
    >>> drain_resume({"cursor": ["a/{id}/x"], "none": ["b/{id}/y"]})
    'on a/{id}/x resume from their last cursor; on b/{id}/y lose what was pushed meanwhile (no catch-up read)'
    """
    kinds = [k for k in _RESUMES if groups.get(k)]
    if len(kinds) <= 1:
        return _RESUMES[kinds[0] if kinds else "cursor"]
    return "; ".join(f"on {', '.join(groups[k])} {_RESUMES[k]}" for k in kinds)


def _kind(part: Reconnect, listed: bool) -> str:
    """One part's reconnect: a promised fetch, or a channel with catch-up reads the part does not deny, pages from a cursor
    (a push-notified channel still lists its rows for a client that comes back); a denied one has nothing."""
    if part.promised or (listed and not part.gap):
        return "cursor"
    if part.gap:
        return "none"
    if "push notification" in part.text:
        return "push"
    return "next" if "next value" in part.text else "current"


def resumes(arch: Architecture) -> dict[str, list[str]]:
    """The channels (addresses) by what their reconnect does: ``cursor`` (pages what was missed), ``current`` (re-reads the
    current value), ``next`` (waits for the next value), ``push`` (offline recipients get push notifications, nothing is
    fetched) or ``none``, read back from each
    channel's offline text (``ir.catch_up.reconnects``); a channel whose use cases differ is named per use case.

    Why: the gateway's drain and the delivery ADRs state the same catch-up, so both read it from the one place it is decided.
    """
    listed = {c.address for c in arch.channels if c.catch_up}
    kinds = [(r, _kind(r, r.channel in listed)) for r in reconnects(arch)]
    seen: dict[str, set[str]] = {}
    for r, kind in kinds:
        seen.setdefault(r.channel, set()).add(kind)
    found: dict[str, list[str]] = {}
    for r, kind in kinds:
        name = f"{r.channel} (for {', '.join(repr(u) for u in r.use_cases)})" if len(seen[r.channel]) > 1 else r.channel
        if name not in found.setdefault(kind, []):
            found[kind].append(name)
    return found


__all__ = ["PUBSUB_HOP", "drain_resume", "path_guarantee", "resumes"]
