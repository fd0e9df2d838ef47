"""Your domain logic for the books module: what actions change and what jobs do.

backend-architect wrote this file once and never rewrites it: it is yours. The design
records which operations and jobs exist, their rates, indexes and events, but not the
business rule inside them; that goes here. An action's function runs inside the request's
transaction after the row is locked and If-Match checked: return the columns to change
(the version and updated_at are bumped for you), or raise
core.problems.Problem(409, "...") to refuse a transition.
"""

from __future__ import annotations
