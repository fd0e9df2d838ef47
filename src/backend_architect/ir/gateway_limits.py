"""What one real-time gateway node is planned for: read by the gateway pattern that sizes it and by the critic's rule that
checks it (TOP020), kept here so the critic loads none of the design stages."""

from __future__ import annotations

#: Open connections one gateway node is planned for: tuned event-loop servers hold several hundred thousand idle
#: WebSockets; we plan at 100k so a node's share of a failed peer and a deploy's drain fit.
CONNECTIONS_PER_NODE = 100_000
#: Nodes for availability: one can fail or drain during a deploy.
MIN_NODES = 2
