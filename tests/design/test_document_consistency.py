"""One fact, one value: the same load balancer, database plan, object-store total and availability wherever stated.

A table of specs of different shapes: the bundled examples, the system-design benchmark's specs, and small ones
written here (a monolith on AWS, a sharded ingest, a photo service with media processing).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.design.helpers import spec_of
from tests.design.test_capacity_quantities import SPECS as D1_SPECS
from tests.design.test_diagrams_draw_the_text import SPECS as DRAWN
from tests.design.test_event_payloads import message_payloads, same_payload
from tests.design.test_event_sources import LESSONS, LIVE_MATCHES
from tests.design.test_graph_reads import SOCIAL as GRAPH_FEED
from tests.design.test_lifecycle_examples import LOANS
from tests.design.test_lifecycle_examples import ORDERS as LIFECYCLE_ORDERS
from tests.design.test_mechanism_paths import SOCIAL
from tests.design.test_membership import BILLING as MEMBER_BILLING
from tests.design.test_membership import CHANNELS as MEMBER_CHANNELS
from tests.design.test_membership import PROJECTS as MEMBER_PROJECTS
from tests.design.test_membership import SERVERS as MEMBER_SERVERS
from tests.design.test_membership_scopes import GUILDS as MEMBER_GUILDS
from tests.design.test_membership_scopes import TEAMS as MEMBER_TEAMS
from tests.design.test_membership_scopes import WORKSPACES as MEMBER_WORKSPACES
from tests.design.test_partition_verdicts import threshold_problems
from tests.design.test_played_reads import CLIPS as PLAYED_CLIPS
from tests.design.test_read_cycles import QUOTES_AND_BOOKINGS as READ_CYCLE
from tests.design.test_realtime_audiences import FIREHOSE, SHARED
from tests.design.test_records_agree import CLUB, PINGS
from tests.design.test_reference_checks import CLINIC, ORDERS, QA
from tests.design.test_reference_checks import FOLLOWS as MEMBER_LINKS
from tests.design.test_row_mutability import JOBBED, VIDEOS
from tests.design.test_service_calls import CLUBS as CLUB_CALLS
from tests.design.test_shard_families import BOARDS, FORUM, FORUM_BY_AUTHOR
from tests.design.test_shard_maps import ALBUMS, CLIPS, FOLDERS
from tests.design.test_traffic_ledger import CLUBS
from tests.design.test_unique_keys import BOOKINGS

from backend_architect.api import design_spec, review_path
from backend_architect.design.analysis import Analysis, analyse
from backend_architect.design.capacity import PRIMARY_WRITE_CEILING, index_bytes_per_row
from backend_architect.design.latency import per_operation, scatter_factor
from backend_architect.design.loads import databases, served_by
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns.gateway import MESSAGE_OVERHEAD_BYTES
from backend_architect.design.patterns.messaging import EVENT_RELAY
from backend_architect.design.patterns.wide_column import addressed_by_id
from backend_architect.design.payload import DISK_PER_DAY
from backend_architect.design.reference_checks import copy_table_name
from backend_architect.design.request_steps import request_steps
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.consumers import consumer_labels, recording_services
from backend_architect.ir.database_nodes import REPLICA_READS, copies_said
from backend_architect.ir.model import Architecture, Figure
from backend_architect.ir.payloads import event_payload_bytes, event_table, payload_fields, pushed_event
from backend_architect.ir.query import (
    DIRECT_SOURCE,
    OUTBOX_SOURCE,
    all_tables,
    busiest_write_primary,
    delivery_hops,
    delivery_note,
    direct_note,
    event_broker,
    event_source,
    guarded_how,
    held_keys,
    keyed_elsewhere,
)
from backend_architect.render.ddl import render_ddl
from backend_architect.render.ddl_partitions import maintenance_summary
from backend_architect.render.mermaid import node_id
from backend_architect.render.numbers import human
from backend_architect.rules.model import Severity
from backend_architect.spec.identifiers import partition_maintenance_name
from backend_architect.spec.load import load_spec, load_spec_bytes
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "benchmarks" / "system_design").glob("*/spec.yaml"))

MONOLITH_ON_AWS = """
system: clinic
team: {size: 4}
constraints: {cloud: aws}
entities:
  Patient: {fields: {name: string}}
  Visit: {fields: {patient: ref(Patient), at: datetime}}
use_cases:
  - {name: book visit, actor: patient, writes: [Visit], rate: 20/s}
  - {name: list visits, actor: patient, reads: [Visit], filter: [patient], rate: 200/s}
"""

SHARDED_INGEST = """
system: meters
entities:
  Meter: {fields: {site: string}, rows: 2M}
  Reading: {fields: {meter: ref(Meter), value: float, taken_at: datetime}, growth: 2B/day}
use_cases:
  - {name: record reading, actor: meter, writes: [Reading], rate: 2B/day}
  - {name: meter history, actor: operator, reads: [Reading], filter: [meter], rate: 50/s}
"""

PHOTOS = """
system: photos
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 5M}
  Photo:
    fields:
      owner: ref(User)
      image: {type: blob, avg_bytes: 3MB, media: {renditions: [thumb, medium, large]}}
    growth: 2M/day
use_cases:
  - {name: upload photo, actor: user, writes: [Photo], rate: 2M/day}
  - {name: view photo, actor: visitor, auth: none, reads: [Photo], rate: 5k/s}
"""

ROSTER = """
system: roster
scale: {concurrent_users: 50k}
entities:
  Agent: {fields: {name: string(80)}, presence: {offline_after: 45s}, rows: 200k}
  Queue: {fields: {name: string(80)}, rows: 5k}
  Shift: {fields: {queue: ref(Queue), agent: ref(Agent), load: int}, rows: 1M}
use_cases:
  - {name: report load, actor: agent, writes: [Shift.load], latest: true, rate: 3k/s}
  - {name: queue board, description: which agents of a queue are online, actor: lead, reads: [Shift, Agent], filter: [queue], rate: 40/s}
  - {name: shift card, actor: lead, kind: get, reads: [Queue, Shift.load], rate: 90/s}
"""

#: A messenger whose sends push through two providers with stated shares; its receipts name no provider (fetched on reconnect).
MESSENGER = """
system: messenger
scale: {daily_active: 2M, concurrent_users: 300k}
external:
  fcm: {kind: push, share: 70%}
  apns: {kind: push, share: 30%}
entities:
  User: {fields: {phone: {type: string(20), pii: true}}, rows: 4M, presence: {offline_after: 30s}}
  Chat: {fields: {title: string(80)}, rows: 1M}
  Member: {part_of: Chat, fields: {user: ref(User), role: enum[member,admin]}, avg_per_parent: 3}
  Message: {part_of: Chat, fields: {sender: ref(User), body: text}, append_only: true, growth: 50M/day}
  Receipt: {fields: {message: ref(Message), reader: ref(User), recipient: ref(User)}, growth: 50M/day}
use_cases:
  - {name: send message, writes: [Message], rate: 50M/day, notify: [fcm, apns], deliver: realtime}
  - {name: mark read, writes: [Receipt], rate: 50M/day, deliver: realtime}
  - {name: list messages, reads: [Message], filter: [chat], sort: [-created_at], rate: 100M/day}
"""

#: Dispatch: couriers report every 5 s (their online count follows), offers are pushed without a live connection (one provider,
#: a second one unnamed), and a minutely job settles payouts through a slow external system.
DISPATCH = """
system: dispatch
scale: {users: 2M, daily_active: 400k, concurrent_connections: 120k, peak_factor: 2}
external:
  onesignal: {kind: push}
  bank: {kind: payment, latency_ms: 500}
entities:
  Customer: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Courier: {fields: {name: {type: string(80), pii: true}, location: geo?}, rows: 200k, presence: {offline_after: 20s}}
  Offer: {fields: {courier: ref(Courier), customer: ref(Customer), fee: money}, growth: 3M/day}
  Payout: {fields: {courier: ref(Courier), amount: money, reference: string(60)?}, growth: 1M/day}
use_cases:
  - {name: report location, actor: courier, writes: [Courier.location], latest: true, rate: 8k/s, every: 5s,
     deliver: {mode: realtime, to: Offer.customer}}
  - {name: make offer, actor: customer, writes: [Offer], rate: 3M/day, avg_fanout: 4, notify: [onesignal]}
  - {name: list offers, actor: courier, reads: [Offer], filter: [courier], rate: 10M/day}
  - {name: settle payouts, actor: system, kind: job, reads: [Payout], writes: [Payout.reference], calls: [bank], schedule: "* * * * *"}
"""

CLICKSTREAM = """
system: clickstream
entities:
  App: {fields: {name: string(120)}, rows: 5k}
  Click:
    append_only: true
    fields: {app: ref(App), screen: string(120), dwell_ms: int}
    growth: 400M/day
    retention: 180d
use_cases:
  - {name: record click, actor: device, writes: [Click], rate: 400M/day}
  - {name: app engagement, actor: analyst, reads: [Click], filter: [Click.app], series: {field: dwell_ms, aggregate: avg, every: 1h, over: 7d}, rate: 20/s}
  - {name: click totals, actor: analyst, reads: [Click], series: {field: dwell_ms, aggregate: count, every: 1m, over: 24h}, rate: 1/s}
"""

#: Parcels looked up for years (hot/cold tiers) and clicks nobody reads (exported to the warehouse).
PARCELS = """
system: parcels
scale: {retention_years: 5}
entities:
  Customer: {fields: {name: string}, rows: 1M}
  Parcel: {fields: {customer: ref(Customer), label: string(200), weight: float}, growth: 20M/day}
use_cases:
  - {name: ship parcel, actor: customer, writes: [Parcel], rate: 20M/day}
  - {name: track parcel, actor: customer, reads: [Parcel], rate: 2k/s}
"""
CLICKS = """
system: clicks
scale: {retention_years: 3}
entities:
  Page: {fields: {url: string(500)}, rows: 100k}
  Click: {append_only: true, fields: {page: ref(Page), referrer: string(500), agent: string(300)}, growth: 200M/day}
use_cases:
  - {name: record click, actor: visitor, auth: none, writes: [Click], rate: 200M/day}
  - {name: view page, actor: visitor, auth: none, reads: [Page], rate: 100/s}
"""
#: Media and links: a played video, compressed attachments, share links to a public read.
MEDIA_LINKS = """
system: clips
scale: {retention_years: 3}
entities:
  User: {fields: {name: string(80)}}
  Clip:
    fields:
      owner: ref(User)
      title: string(120)
      video: {type: blob, avg_bytes: 40MB, media: {transcode: [h264], renditions: [1080p, 480p], thumbnails: true}}
  Attachment:
    fields:
      owner: ref(User)
      file: {type: blob, avg_bytes: 300KB, content_types: [image/jpeg, application/pdf], media: {compress: true}}
  ClipLink:
    key: short_code
    fields: {clip: ref(Clip)}
use_cases:
  - {name: upload clip, actor: user, writes: [Clip], rate: 50k/day}
  - {name: watch clip, actor: visitor, auth: none, kind: get, reads: [Clip], rate: 5M/day}
  - {name: attach file, actor: user, writes: [Attachment], rate: 2M/day}
  - {name: open attachment, actor: user, kind: get, reads: [Attachment], rate: 4M/day}
  - {name: share clip, actor: user, writes: [ClipLink], rate: 200k/day}
  - {name: open clip link, actor: visitor, auth: none, kind: get, reads: [ClipLink], rate: 3M/day}
"""

#: Visitors watching questions live (votes reach the question's watchers) beside signed-in users' own notices, pushed when offline.
QA_LIVE = """
system: qa-live
scale: {daily_active: 200k, concurrent_connections: 100k}
external: {fcm: {kind: push}}
entities:
  User: {fields: {email: {type: email, pii: true}}, rows: 1M}
  Question: {fields: {asker: ref(User), title: string(200)}, rows: 100k}
  Answer: {part_of: Question, fields: {author: ref(User), body: text}, rows: 400k}
  AnswerVote: {part_of: Answer, fields: {voter: ref(User), direction: "enum[up,down]"}, unique: [[answer, voter]]}
  Notice: {fields: {user: ref(User), text: string(200)}, growth: 1M/day}
use_cases:
  - {name: view question, actor: visitor, auth: none, kind: get, reads: [Question], rate: 500/s, deliver: realtime}
  - {name: list answers, actor: visitor, auth: none, reads: [Answer], filter: [question], rate: 500/s, deliver: realtime}
  - {name: post answer, actor: user, writes: [Answer], rate: 2/s}
  - {name: vote on answer, actor: user, writes: [AnswerVote], rate: 10/s, deliver: realtime}
  - {name: send notice, actor: admin, writes: [Notice], notify: [fcm], rate: 1M/day, deliver: {mode: realtime, to: Notice.user}}
"""

#: Workspaces created with their seats, sharded apart (by workspace id and by user): a relay applies the seats.
WORKSPACES = """
system: workspaces
team: {size: 10}
scale: {rates: peak, retention_years: 5}
entities:
  User: {fields: {email: {type: string(120), pii: true}}, rows: 50M}
  Workspace: {fields: {owner: ref(User), name: string(80)}}
  Seat:
    fields: {workspace: ref(Workspace), user: ref(User), role: "enum[admin, member]"}
use_cases:
  - {name: create workspace, writes: [Workspace, Seat], rate: 6k/s, consistency: strong}
  - {name: my workspaces, reads: [Seat], filter: [user], page: cursor, rate: 20k/s}
"""

#: A follow graph sharded by its reader (the fan-out pages it by the author) and accounts sharded by id with a unique email.
FOLLOWS = """
system: follows
scale: {users: 400M, rates: peak}
entities:
  Account:
    rows: 400M
    growth: 8M/day
    fields: {email: {type: string(200), unique: true}, bio: string(2000)}
  Subscription:
    unique: [[subscriber, creator]]
    avg_per_parent: 200
    growth: 60M/day
    fields: {subscriber: ref(Account), creator: ref(Account)}
  Photo:
    append_only: true
    growth: 50M/day
    fields: {owner: ref(Account), caption: string(500)}
use_cases:
  - {name: sign up, kind: create, writes: [Account], rate: 200/s}
  - {name: view account, kind: get, reads: [Account], rate: 20000/s}
  - {name: subscribe, kind: create, writes: [Subscription], rate: 3000/s}
  - {name: post photo, kind: create, writes: [Photo], rate: 3000/s, avg_fanout: 200}
  - {name: view feed, kind: list, reads: [Photo, Subscription], filter: Subscription.subscriber, sort: -created_at, rate: 100000/s,
     consistency: eventual, staleness: 5s, page: {style: cursor, limit: 20, max: 100}}
"""

#: Members sharded by their guild (their unique pair holds per shard) and players sharded by inserts with two unique keys.
GUILDS = """
system: guilds
entities:
  Guild: {rows: 1M, fields: {name: string(80)}}
  Player:
    rows: 50M
    growth: 600M/day
    fields: {tag: {type: string(20), unique: true}, phone: {type: string(20), unique: true}, motto: string(200)}
  Membership:
    part_of: Guild
    unique: [[guild, player]]
    rows: 9B
    fields: {player: ref(Player), rank: string(20)}
use_cases:
  - {name: register player, kind: create, writes: [Player], rate: 7000/s}
  - {name: join guild, kind: create, writes: [Membership], rate: 100/s}
  - {name: list guild members, kind: list, reads: [Membership], filter: [guild], rate: 500/s}
"""

#: A wide-column table (PAT055): posts appended per thread, paged newest first at eventual consistency, 400M a day.
THREADS = """
system: forum-history
entities:
  Thread: {fields: {title: string(120)}, rows: 20M, growth: 1M/day}
  Post:
    fields: {thread: ref(Thread), author: string(40), body: {type: text, avg_bytes: 300}}
    growth: 400M/day
use_cases:
  - {name: write post, actor: member, kind: create, writes: [Post], rate: 400M/day}
  - {name: read thread, actor: member, kind: list, reads: [Post], filter: [thread], sort: [-created_at], consistency: eventual, rate: 800M/day}
  - {name: get post, actor: member, kind: get, reads: [Post], rate: 10M/day}
"""

#: Plays recorded for analytics (PAT054 on an updated table): each play's position is updated, every change flows as an event.
PLAYS = """
system: plays
entities:
  Song: {fields: {title: string(120)}, rows: 5M}
  Play:
    analytics: true
    fields: {song: ref(Song), seconds: int}
use_cases:
  - {name: start play, actor: listener, kind: create, writes: [Play], rate: 20M/day}
  - {name: save position, actor: listener, kind: update, writes: [Play.seconds], rate: 60M/day}
  - {name: get play, actor: listener, kind: get, reads: [Play], rate: 20M/day}
"""

#: Watches past what a queue broker carries (Kafka) beside transcoding jobs on a RabbitMQ work queue; clips addressed by short code
#: (their playback path too) and 8-character share codes.
STREAM_CLIPS = """
system: stream-clips
scale: {retention_years: 2}
entities:
  User: {fields: {name: string(80)}}
  Clip:
    key: short_code
    fields:
      owner: ref(User)
      title: string(120)
      video: {type: blob, avg_bytes: 60MB, media: {transcode: [h264, vp9], renditions: [720p, 360p]}}
  ClipLink:
    key: short_code
    fields: {clip: ref(Clip)}
  Watch:
    analytics: true
    fields: {clip: ref(Clip), viewer: ref(User), seconds: int}
use_cases:
  - {name: upload clip, actor: user, writes: [Clip], rate: 200k/day}
  - {name: watch clip, actor: visitor, auth: none, kind: get, reads: [Clip], rate: 50M/day}
  - {name: share clip, actor: user, writes: [ClipLink], rate: 40M/day}
  - {name: open clip link, actor: visitor, auth: none, kind: get, reads: [ClipLink], rate: 30M/day}
  - {name: record watch, actor: user, writes: [Watch], rate: 2B/day}
"""

#: Reads of one entity allowing different page sizes: an audit trail's export pages of 2,000, its screen pages of the default.
AUDIT_EXPORT = """
system: audit
entities:
  Account: {fields: {name: string(80)}, rows: 50k}
  Entry: {fields: {account: ref(Account), action: string(40), at: datetime}, growth: 5M/day}
use_cases:
  - {name: record entry, actor: service, writes: [Entry], rate: 5M/day}
  - {name: list entries, actor: auditor, reads: [Entry], filter: [account], sort: [at], rate: 20/s}
  - {name: export entries, actor: auditor, reads: [Entry], filter: [at], sort: [at], page: {style: cursor, limit: 500, max: 2000}, rate: 2/s}
"""

WRITTEN = {
    "graph-called": GRAPH_FEED % (40, "1k/s", "400/s", "Post"),
    "graph-copied": GRAPH_FEED % (40, "200/s", "100/s", "Post"),
    "audit-export": AUDIT_EXPORT,
    "stream-clips": STREAM_CLIPS,
    "qa-live": QA_LIVE,
    "workspaces": WORKSPACES,
    "threads": THREADS,
    "plays": PLAYS,
    "monolith-on-aws": MONOLITH_ON_AWS,
    "sharded-ingest": SHARDED_INGEST,
    "photos": PHOTOS,
    "roster": ROSTER,
    "messenger": MESSENGER,
    "dispatch": DISPATCH,
    "clickstream": CLICKSTREAM,
    "parcels": PARCELS,
    "club-calls": CLUB_CALLS.replace("TEAM", "30").replace("FEED", "20k/s, staleness: 30s, page: {limit: 20}"),
    "clicks": CLICKS,
    "follows": FOLLOWS,
    "guilds": GUILDS,
    "media-links": MEDIA_LINKS,
    "licensed-media": """
system: licensed-media
entities:
  User: {fields: {name: string(80)}}
  Episode:
    fields: {title: string(200), uploader: ref(User), audio: {type: blob, avg_bytes: 30MB}, mime_type: string(100), status: "enum[draft,published]"}
    growth: 10k/day
  RegionBlock: {part_of: Episode, fields: {country: string(2)}, unique: [[episode, country]]}
  Poster: {fields: {episode: ref(Episode), image: {type: blob, avg_bytes: 300KB}, blocked_countries: json?}}
use_cases:
  - {name: upload episode, writes: [Episode], rate: 10k/day}
  - {name: publish episode, kind: update, writes: [Episode.status], rate: 10k/day}
  - {name: block episode in country, writes: [RegionBlock], rate: 1k/day}
  - {name: play episode, kind: get, auth: none, reads: [Episode], rate: 50M/day, consistency: eventual, staleness: 60s}
  - {name: add poster, writes: [Poster], rate: 10k/day}
  - {name: view poster, kind: get, reads: [Poster], rate: 5M/day}
""",
    "firehose": FIREHOSE,
    "nearby-offers": SHARED,
    # one shard map, one layout: tables sized together, parts co-located only by their parent's shard key (issue 22-u2)
    "album-parts": ALBUMS,
    "clip-labels": CLIPS,
    "busy-folders": FOLDERS,
    # a family's shard key from its traffic: by the parent's id, with a by-owner lookup for a read by owner (issue 22-v2)
    "forum": FORUM,
    "forum-by-author": FORUM_BY_AUTHOR,
    "boards": BOARDS,
    "live-matches": LIVE_MATCHES,
    "lessons": LESSONS,
    # parts sent with their parent count avg_per_parent rows; writes named for a state set it (issue 22-t3)
    "tagged-uploads": """
system: tagged-uploads
scale: {users: 2M, daily_active: 200k, retention_years: 5, rates: average, peak_factor: 3}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Clip:
    fields: {owner: ref(User), title: {type: string(200), avg_bytes: 60}}
    rows: 20M
  Label: {part_of: Clip, fields: {name: {type: string(40), avg_bytes: 16}}, avg_per_parent: 6}
  Seen:
    fields: {clip: ref(Clip), viewer: ref(User), status: "enum[delivered, watched]"}
    unique: [[clip, viewer]]
use_cases:
  - {name: upload clip, actor: user, writes: [Clip, Label], rate: 3M/day}
  - {name: search clips, actor: user, reads: [Clip, Label], search: [Clip.title, Label.name], rate: 30M/day}
  - {name: mark clip watched, actor: user, writes: [Seen], rate: 20M/day}
""",
    # a read across services served from an event-fed local copy: it trails its owner by the relay's lag (issue 22-v1)
    "clubs": CLUBS,
    # references to rows another service owns, each checked as the numbers decide (issue 22-x1): a local copy, a query of an
    # owner nobody writes (nullable, in the body), the caller's id and another member's in one path
    "orders-refs": ORDERS.replace("RATE", "2000/s"),
    "clinic-refs": CLINIC.replace("RATE", "30/s"),
    "follows-refs": MEMBER_LINKS.replace("RATE", "20/s"),
    "qa-refs": QA.replace("ASK", "50/s"),
    # an upload setting its tags by name: the join rows sized from it, apart from the video's shard later (issue 22-y3)
    "clip-tags": """
system: clip-tags
scale: {users: 500M, daily_active: 100M, retention_years: 5}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Tag: {avg_per_parent: 6, max_per_parent: 30, fields: {name: {type: string(40), unique: true}}}
  Video: {many_to_many: [Tag], growth: 10M/day, fields: {uploader: ref(User), title: string(200)}}
use_cases:
  - {name: upload video, actor: creator, kind: create, writes: [Video, Video.tags], rate: 10M/day}
  - {name: get video, actor: viewer, kind: get, reads: [Video], rate: 2B/day}
  - {name: list my videos, actor: creator, reads: [Video], filter: [uploader], page: cursor, rate: 50M/day}
""",
    # a 1-recipient note delivered live to a lesson's student (push for the rest) beside an auditor's stream and its page (issue 22-v1)
    "tutor-notes": """
system: tutor-notes
scale: {users: 3M, daily_active: 600k}
external:
  fcm: {kind: push}
entities:
  Student: {fields: {name: {type: string(80), pii: true}}, rows: 3M}
  Tutor: {fields: {name: {type: string(80), pii: true}}, rows: 50k}
  Lesson: {fields: {student: ref(Student), tutor: ref(Tutor), topic: string(80)}, growth: 100k/day}
  Note: {fields: {lesson: ref(Lesson), author: ref(Tutor), body: string(500)}, growth: 2M/day}
use_cases:
  - {name: write note, actor: tutor, writes: [Note], rate: 2M/day, avg_fanout: 1, deliver: {mode: realtime, to: Lesson.student}, notify: [fcm]}
  - {name: list notes, actor: student, reads: [Note], filter: [lesson], page: {style: cursor, limit: 20}, rate: 5M/day}
  - {name: publish lesson, actor: tutor, writes: [Lesson], rate: 100k/day, deliver: {mode: realtime, to: auditor, subscribers: 10}}
  - {name: audit lessons, actor: auditor, reads: [Lesson], page: {style: cursor, limit: 50}, rate: 10/min}
""",
    # active-active regions: each current read in its row's home region, a global handle reserved, a lag-tolerant read anywhere (issue 22-c4)
    "two-region-notes": """
system: notes
scale: {daily_active: 1M, availability: 99.99%, regions: [eu-central, us-west]}
entities:
  Member: {fields: {handle: {type: string(30), unique: true}}, rows: 2M}
  Notebook: {fields: {owner: ref(Member), name: string(80)}, growth: 20k/day}
  Note: {fields: {notebook: ref(Notebook), body: string(2000)}, growth: 1M/day}
use_cases:
  - {name: write note, actor: member, writes: [Note], rate: 1M/day, latency_ms: 120}
  - {name: notebook notes, actor: member, reads: [Note], filter: [notebook], page: cursor, rate: 30M/day}
  - {name: browse notebooks, actor: member, reads: [Notebook], rate: 5M/day, consistency: eventual}
""",
    # short codes resolving to rows the media workers process, and to rows a scheduled job rewrites (issue 22-c7)
    "reel-codes": VIDEOS,
    "coupon-codes": JOBBED,
    # a short-coded clip whose video one use case plays and whose details another reads (issue 22-c7)
    "clip-plays": PLAYED_CLIPS,
    # operations in a scope with members answer members only: probed locally, or by a call to the service holding them (issue 22-c3)
    "members-channels": MEMBER_CHANNELS.replace("ACCESS", ""),
    "members-projects": MEMBER_PROJECTS,
    "members-billing": MEMBER_BILLING,
    "members-servers": MEMBER_SERVERS,
    # the scope's own row, parts checked against their nearest ancestor with members, a copy of the pairs past the calls (22-d4)
    "members-workspaces": MEMBER_WORKSPACES,
    "members-guilds": MEMBER_GUILDS,
    "members-teams-copied": MEMBER_TEAMS.replace("RATE", "2000/s").replace("JOIN", "2/s"),
    # a primary past its write headroom by updates and the rows beside them, with a table sharded for its size (issue 22-z2)
    "depot-headroom": """
system: depot
team: {size: 2}
scale: {rates: peak, peak_factor: 2, retention_years: 10}
entities:
  Crate: {fields: {bay: string(20), weight: integer}, rows: 3M}
  Manifest: {fields: {crate: ref(Crate), body: {type: text, avg_bytes: 20000}}, growth: 1M/day, rows: 10M}
  Scan: {fields: {crate: ref(Crate), gate: string(20)}, retention: 14d}
use_cases:
  - {name: move crate, kind: update, writes: [Crate], rate: 1500/s}
  - {name: file manifest, writes: [Manifest], rate: 12/s}
  - {name: amend manifest, kind: update, writes: [Manifest], rate: 1800/s}
  - {name: record scan, writes: [Scan], rate: 400/s}
  - {name: get crate, reads: [Crate], rate: 800/s}
""",
}
#: Records about one part that must agree with what the design builds (issue 22-d2): an event log expired by its history record
#: yet sharded for its writes; one table sharded now beside one sharded months later.
WRITTEN |= {
    "pulse-expired-sharded": PINGS.replace("RATE", "30k/s"),
    "club-sharded-now-and-later": CLUB.replace("NOTES", "15k/s").replace("FOLLOWS", "50M/day"),
}
#: A write-heavy table with outbox and idempotency rows (in a wide-column store; sharded in PostgreSQL beside updates), public
#: reads behind a CDN and Redis, readable standbys and no read replica: each rate named for what it counts (issue 22-d1).
WRITTEN |= D1_SPECS
#: Shapes the diagrams must draw as the text builds them (issue 22-c5): shards now and later, pushes through Redis pub/sub,
#: a write kept in memory publishing itself, a CDC-fed indexer beside a by-id lookup.
WRITTEN |= {f"drawn-{name}": DRAWN[name] for name in ("archive-monolith", "rooms", "wall", "fleet")}
#: One path per event to the gateway (issue 22-d3): a push behind a partitioned log (Kafka, past a queue broker's rate), and two
#: services whose fresh reads would call each other (the read of the data changing least takes an event-fed copy).
WRITTEN |= {
    "pushed-over-a-log": """
system: ticker
team: {size: 40}
scale: {daily_active: 2M, concurrent_connections: 300k}
services:
  quotes: {owns: [Instrument, Tick]}
  alerts: {owns: [Alert]}
entities:
  Instrument: {fields: {symbol: {type: string(12), unique: true}}, rows: 50k}
  Tick: {fields: {instrument: ref(Instrument), price: money}, retention: 2d}
  Alert: {fields: {instrument: ref(Instrument), threshold: money}}
use_cases:
  - {name: watch instrument, actor: trader, kind: get, reads: [Instrument], rate: 200/s, deliver: realtime}
  - {name: record tick, actor: feed, writes: [Tick], rate: 30k/s, deliver: {mode: realtime, to: Tick.instrument}}
  - {name: set alert, actor: trader, writes: [Alert], rate: 5/s}
""",
    "reads-in-a-cycle": READ_CYCLE.replace("QUOTES", "200/s").replace("VEHICLES", "1/s"),
}
#: Lifecycles whose examples are one state each (issue 22-e3), and a partial unique rule on a table sharded now, later or not at all.
WRITTEN |= {"lifecycle-orders": LIFECYCLE_ORDERS, "lifecycle-loans": LOANS}
WRITTEN |= {f"bookings-{rate.replace('/', '-per-')}": BOOKINGS.replace("RATE", rate) for rate in ("8k/s", "300/s", "20/s")}


#: Every rendered file of each design, by design name.
RENDERED: dict[str, dict[str, str]] = {}


def _designs() -> list[tuple[str, Architecture, str]]:
    found = []
    for path in FILES:
        result = design_spec(load_spec(path))
        found.append((f"{path.parent.name}/{path.stem}", result.architecture, result.files["design.md"]))
        RENDERED[found[-1][0]] = result.files
    for name, text in WRITTEN.items():
        result = design_spec(load_spec_bytes(text.encode(), f"{name}.yaml"))
        found.append((name, result.architecture, result.files["design.md"]))
        RENDERED[name] = result.files
    return found


DESIGNS = _designs()
#: The use cases that search full text, by design name.
SEARCHES = {
    **{f"{p.parent.name}/{p.stem}": {u.name for u in load_spec(p).spec.use_cases if u.search} for p in FILES},
    **{n: {u.name for u in spec_of(t).use_cases if u.search} for n, t in WRITTEN.items()},
}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_load_balancer_everywhere_ok(name: str, arch: Architecture, document: str) -> None:
    """The edge decision, the components and the availability plan name the same load balancer."""
    technologies = {c.technology for c in arch.components if c.name == "load-balancer"}
    assert len(technologies) == 1, technologies
    (technology,) = technologies
    edge = next(d for d in arch.decisions if d.id == "edge")
    assert technology in edge.choice
    availability = next((d for d in arch.decisions if d.id == "availability"), None)
    if availability is not None:
        assert technology in availability.choice


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_database_consequences_name_the_sharded_tables_ok(name: str, arch: Architecture, document: str) -> None:
    """The primary database's consequences say which tables are sharded, never 'one primary' beside shards."""
    database = next((d for d in arch.decisions if d.id == "database"), None)
    if database is None:
        pytest.skip("no relational database decision")
    sharded = [t.name for s in arch.datastores for t in s.tables if t.sharding is not None]
    for table in sharded:
        assert f"{table} by " in (database.consequences or "")
    if sharded:
        assert "One primary per database" not in (database.consequences or "")


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_object_store_total_includes_its_parts_ok(name: str, arch: Architecture, document: str) -> None:
    """bytes.<N>y.object_store is the whole store: the blobs and every output processed from them."""
    figures = {f.key: f.value for f in arch.figures}
    for key, total in figures.items():
        if key.endswith(".object_store") and key.startswith("bytes."):
            parts = sum(v for k, v in figures.items() if k.startswith(key + "."))
            assert total >= parts, key


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_tables_bytes_a_day_count_every_growing_table_ok(name: str, arch: Architecture, document: str) -> None:
    """storage.disk_bytes_per_day sums one figure per table that grows and keeps its rows (key and lookup tables too, added by
    later stages), each at the bytes a row takes in the table's size figures, so the day's bytes agree with the sizes."""
    figures = {f.key: f for f in arch.figures}
    growing = {t.name: t for s in arch.datastores for t in s.tables if t.role is None and t.rows_per_day > 0}
    per_table = {k.removeprefix(DISK_PER_DAY + "."): f.value for k, f in figures.items() if k.startswith(DISK_PER_DAY + ".")}
    assert set(per_table) == set(growing)
    for table_name, table in growing.items():
        sized = figures[f"bytes.1y.{table_name}"].value / figures[f"rows.1y.{table_name}"].value
        assert per_table[table_name] == pytest.approx(table.rows_per_day * sized), table_name
    if growing:
        assert figures[DISK_PER_DAY].value == pytest.approx(sum(per_table.values()))
        if "a day on disk" in document:
            assert f"{human(figures[DISK_PER_DAY].value, 'bytes')} a day on disk" in document


def test_photo_renditions_counted_in_object_storage_ok() -> None:
    """A media pipeline's renditions are inside the object-store total, and the daily figure agrees with the totals' slope."""
    arch = next(a for n, a, _ in DESIGNS if n == "photos")
    figures = {f.key: f.value for f in arch.figures}
    renditions = [k for k in figures if k.startswith("bytes.1y.object_store.")]
    assert renditions
    per_day = next(v for k, v in figures.items() if k.startswith("media.bytes_per_day."))
    horizon = max(float(k.split(".")[1].removesuffix("y")) for k in figures if k.endswith(".object_store"))
    slope = (figures[f"bytes.{horizon:g}y.object_store"] - figures["bytes.1y.object_store"]) / ((horizon - 1) * 365)
    assert slope == pytest.approx(per_day, rel=0.01)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_availabilities_print_their_nines_ok(name: str, arch: Architecture, document: str) -> None:
    """A composite of 99.97% never reads as 100.0% beside the same figure at three decimals."""
    composite = next((f.value for f in arch.figures if f.key == "availability.composite"), None)
    if composite is not None and composite < 1:
        # an availability row (a utilisation may well be exactly 100.0%)
        rows = [r for r in document.split("## Capacity", 1)[1].splitlines() if r.startswith("| ") and "availab" in r.split("|")[1]]
        assert rows
        assert not [r for r in rows if "| 100.0% |" in r]


def test_edge_counts_deployables_not_modules_ok() -> None:
    """A modular monolith is one deployable behind the load balancer, whatever its module count."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(MONOLITH_ON_AWS))
    assert arch.deployment == "modular-monolith"
    edge = next(d for d in arch.decisions if d.id == "edge")
    assert edge.context.startswith("1 deployable(s)")
    assert "AWS Application Load Balancer" in edge.choice


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_failure_table_names_only_what_the_design_keeps_ok(name: str, arch: Architecture, document: str) -> None:
    """A store's loss mentions presence or rate limits only when the design keeps them there; searches never wait on the primary."""
    impacts = arch.availability.impacts if arch.availability else []
    has_presence = any(d.id.startswith("presence.") for d in arch.decisions)
    for impact in impacts:
        assert ("presence reads as offline" in impact.detail) <= has_presence, impact
        if "rate limits fail open" in impact.detail:
            limits = next(d for d in arch.decisions if d.id.startswith("rate-limits"))
            assert any(c.name == impact.dependency and c.technology.split()[0] in limits.choice for c in arch.components)
    if any(c.kind == "search-engine" for c in arch.components):
        primary_reads = {n for i in impacts if i.dependency == "database primary" and i.effect != "fail" for n in i.use_cases}
        assert not primary_reads & SEARCHES[name]


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_analytics_store_is_one_fact_ok(name: str, arch: Architecture, document: str) -> None:
    """The column store's technology and nodes agree in its decision, component, growth stage and components table; its reads skip the primary."""
    record = next((d for d in arch.decisions if d.id == "analytics" and d.decided_by == "numbers"), None)
    if record is None:
        assert not [m for m in arch.mechanisms if m.pattern == "PAT054"]
        return
    store = next(c for c in arch.components if c.name == "analytics-store")
    nodes = next(f.value for f in arch.figures if f.key == "analytics.nodes")
    assert store.instances == nodes
    assert record.choice.startswith(store.technology)
    assert f"= {nodes:g} nodes" in record.choice
    stage = next(s for s in arch.stages if s.name == "analytics store")
    assert stage.adds[0].startswith(f"{store.technology}: {nodes:g} nodes")
    assert f"| analytics-store | warehouse | {store.technology} |" in document
    served = {m.use_case for m in arch.mechanisms if m.pattern == "PAT054"}
    # rows recorded for analytics (analytics: true) may have no aggregate read through the API: the record says so
    assert served or "no aggregate read goes through the API" in record.choice
    for use_case in served:
        series = next(d for d in arch.decisions if d.subject == use_case and d.id.startswith("series."))
        assert f"served by the analytics store ({store.technology})" in series.choice
        assert use_case in record.choice
    impacts = arch.availability.impacts if arch.availability else []
    assert not {n for i in impacts if i.dependency == "database primary" for n in i.use_cases} & served


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_wide_column_store_is_one_fact_ok(name: str, arch: Architecture, document: str) -> None:
    """A wide-column table's store, nodes and copies agree in its decision, component, figures, redundancy and CQL; PostgreSQL plans no shards for it."""
    held = [(s, t) for s in arch.datastores for t in s.tables if t.wide_column is not None]
    record = next((d for d in arch.decisions if d.id == "wide-column" and d.decided_by == "numbers"), None)
    if not held:
        assert not [c for c in arch.components if c.kind == "wide-column"]
        return
    assert record is not None
    store = next(c for c in arch.components if c.kind == "wide-column")
    nodes = sum(f.value for f in arch.figures if f.key.startswith("wide_column.nodes."))
    assert store.instances == nodes
    assert f"; {nodes:g} nodes;" in record.choice
    redundancy = next(d for d in arch.decisions if d.id == "availability.stateful")
    assert f"{nodes:g} nodes, replication factor 3" in redundancy.choice
    for datastore, table in held:
        assert table.wide_column is not None
        assert table.sharding is None
        assert table.partitioning is None
        assert record.choice.startswith(table.wide_column.technology)
        cql = RENDERED[name][f"schema/{datastore.service}.cql"]
        key = ", ".join(f'"{c}"' for c in table.wide_column.partition_key)
        assert f"PRIMARY KEY (({key})" in cql
        assert "the scaffold's stand-in" in document


NOTES = """
system: notes
entities:
  Note: {fields: {body: text, title: string}, growth: GROWTH}
use_cases:
  - {name: write note, actor: user, writes: [Note], rate: 10/s}
  - {name: search notes, actor: user, reads: [Note], search: [title, body], rate: 5/s}
"""


@pytest.mark.parametrize(
    ("growth", "decisions", "gin"),
    [
        pytest.param("1k/day", "", True, id="small-corpus-postgresql"),
        pytest.param("50M/day", "", False, id="large-corpus-search-engine"),
        pytest.param("50M/day", "decisions: {search: {choose: PostgreSQL full-text search, reason: one store to run}}\n", True, id="author-keeps-postgresql"),
    ],
)
def test_full_text_index_only_where_postgresql_searches_ok(growth: str, decisions: str, gin: bool) -> None:
    """The GIN index, and its bytes in the table's size, exist exactly when PostgreSQL answers the searches."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(NOTES.replace("GROWTH", growth) + decisions))
    notes = next(t for s in arch.datastores for t in s.tables if t.name == "notes")
    assert any(i.method == "gin" for i in notes.indexes) is gin
    engine = any(c.kind == "search-engine" for c in arch.components)
    assert engine is not gin
    from backend_architect.design.capacity import index_bytes_per_row

    sized = next(f for f in arch.figures if f.key.startswith("bytes.1y.notes"))
    gin_bytes = index_bytes_per_row(notes) - index_bytes_per_row(notes.model_copy(update={"indexes": [i for i in notes.indexes if i.method != "gin"]}))
    # the full-text index is sized in exactly when it exists (a partition key added later may add a few bytes)
    assert abs(sized.inputs["index_bytes_per_row"] - index_bytes_per_row(notes)) <= 16
    assert (gin_bytes > 100) is gin


TEAM = """
system: shop
team: {size: TEAM}
entities:
  Customer: {fields: {email: {type: email, unique: true}}}
  Product: {fields: {name: string, price: money}}
  Order: {fields: {customer: ref(Customer), product: ref(Product), placed_at: datetime}}
use_cases:
  - {name: place order, actor: customer, writes: [Order], rate: 20/s}
  - {name: list products, actor: customer, reads: [Product], rate: 200/s}
  - {name: view order, actor: customer, reads: [Order, Product], consistency: eventual, rate: 50/s}
"""


@pytest.mark.parametrize(
    ("team", "shape", "title"),
    [
        pytest.param(20, "modular monolith", "Deploy as a modular monolith", id="author-picks-monolith-for-20"),
        pytest.param(4, "microservices", "Deploy as microservices", id="author-picks-services-for-4"),
    ],
)
def test_overridden_deployment_is_titled_by_what_is_built_ok(team: int, shape: str, title: str) -> None:
    """An author's deployment shape names its record: the title and consequences are the built shape's, the numbers' an alternative."""
    from backend_architect.design.pipeline import design

    text = TEAM.replace("TEAM", str(team)) + f"decisions: {{deployment-shape: {{choose: {shape}, reason: the team's call}}}}\n"
    made = next(d for d in design(spec_of(text)).decisions if d.id == "deployment-shape")
    assert made.title == title
    assert made.decided_by == "spec"
    assert any(a.name.startswith("what the numbers chose") for a in made.alternatives)


def test_data_nobody_writes_is_queried_not_copied_ok() -> None:
    """A stale-tolerant read of another service's data that no use case writes is a query: no event exists to feed a copy."""
    from backend_architect.design.pipeline import design

    declared = "services:\n  catalog: {owns: [Product]}\n  orders: {owns: [Customer, Order], calls: [catalog]}\n"
    arch = design(spec_of(TEAM.replace("TEAM", "30") + declared))
    flow = next(f for f in arch.flows if f.use_case == "view order")
    product_owner = next(s.name for s in arch.services if "Product" in s.entities)
    order_owner = next(s.name for s in arch.services if "Order" in s.entities)
    assert product_owner != order_owner
    assert flow.style == "sync"
    assert any(s.kind == "query" and s.target == product_owner for s in flow.steps)
    assert not any(s.kind == "event" and s.source == product_owner for s in flow.steps)


@pytest.mark.parametrize(("limit", "multipart"), [("50MB", False), ("5GB", True)])
def test_multipart_only_where_the_upload_limit_allows_ok(limit: str, multipart: bool) -> None:
    """The media decision speaks of multipart uploads only when the field's own limit lets an upload pass 100 MB."""
    from backend_architect.design.pipeline import design

    text = PHOTOS.replace("avg_bytes: 3MB,", f"avg_bytes: 3MB, max_bytes: {limit},")
    made = next(d for d in design(spec_of(text)).decisions if d.id.startswith("media"))
    assert ("multipart above" in made.choice) is multipart


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        pytest.param(PHOTOS, "50MB", {"createPhotoUpload": 0}, id="photos-one-put"),
        pytest.param(PHOTOS, "5GB", {"createPhotoUpload": 50}, id="photos-in-parts"),
        pytest.param(MEDIA_LINKS, "", {"createClipUpload": 8, "createAttachmentUpload": 0}, id="a-long-video-and-small-files"),
    ],
)
def test_upload_contract_carries_what_the_decision_says_ok(text: str, limit: str, parts: dict[str, int]) -> None:
    """Where a decision says multipart, the upload answer has the parts' URLs and the completion URL; elsewhere one PUT URL, no multipart."""
    if limit:
        text = text.replace("avg_bytes: 3MB,", f"avg_bytes: 3MB, max_bytes: {limit},")
    arch = design_spec(load_spec_bytes(text.encode(), "u.yaml")).architecture
    uploads = {o.operation_id: (a, o) for a in arch.apis for o in a.operations if o.method == "post" and (o.response_schema or "").endswith("Upload")}
    assert set(uploads) == set(parts)
    for operation, (api, op) in uploads.items():
        answer = {p.name: p for p in next(s for s in api.schemas if s.name == op.response_schema).properties}
        made = [d.choice for d in arch.decisions if d.id.startswith(f"media.{(op.entity or '').lower()}.")]
        assert made
        assert ("multipart above" in " ".join(made)) is bool(parts[operation])
        if parts[operation]:
            assert {"upload_url", "parts", "part_bytes", "complete_url"} <= set(answer)
            assert answer["parts"].max_items == parts[operation]
            assert "complete_url" in op.description
        else:
            assert {"parts", "complete_url"}.isdisjoint(answer)
            assert "multipart" not in f"{op.description} {answer['upload_url'].description}"


TICKETS = """
system: desk
entities:
  Ticket: {fields: {title: string, status: "enum[open,assigned,closed,reopened]"}}
use_cases:
  - {name: open ticket, actor: user, writes: [Ticket], rate: 5/s}
  - {name: assign ticket, actor: agent, kind: action, writes: [Ticket.status], rate: 5/s}
  - {name: close ticket, actor: agent, kind: action, writes: [Ticket.status], rate: 5/s}
  - {name: reopen ticket, actor: user, kind: action, writes: [Ticket.status], rate: 1/s}
"""


@pytest.mark.parametrize(("use_case", "state"), [("assign ticket", "assigned"), ("close ticket", "closed"), ("reopen ticket", "reopened")])
def test_action_example_shows_the_state_it_leads_to_ok(use_case: str, state: str) -> None:
    """An action's response example carries the enum value its name says, not the first value (the state before it)."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(TICKETS))
    op = next(o for a in arch.apis for o in a.operations if use_case in o.use_cases)
    assert op.example_response["status"] == state


#: The social feed of the mechanism tests, with its publish rate a parameter and a page bound of its own.
FEED = SOCIAL.replace("rate: 2k/s, avg_fanout", "rate: RATE, avg_fanout").replace("    staleness: 5s", "    page: {limit: 50, max: 200}\n    staleness: 5s")


@pytest.mark.parametrize("rate", ["2k/s", "20k/s"])
def test_log_partitions_admit_every_fan_out_worker_ok(rate: str) -> None:
    """A consumer group runs one consumer per partition at most: a busy topic has at least as many partitions as the fan-out workers."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(FEED.replace("RATE", rate)))
    workers = max(c.instances or 0 for c in arch.components if c.kind == "worker" and "consumer" in c.technology)
    partitions = next((f.value for f in arch.figures if f.key == "events.partitions"), None)
    if partitions is not None:
        assert partitions >= workers
    else:
        assert not any(c.technology.startswith("Apache Kafka") for c in arch.components)


def test_limit_problem_states_the_operations_own_bound_ok() -> None:
    """The 400 example of a paged list names the limit its parameter declares (here 200), not a stock 100."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(FEED.replace("RATE", "2k/s")))
    op = next(o for a in arch.apis for o in a.operations if "read timeline" in o.use_cases)
    assert op.example_error_status == 400
    assert "between 1 and 200" in op.example_error["detail"]
    limit = next(p for p in op.parameters if p.name == "limit")
    assert limit.maximum == 200


@pytest.mark.parametrize(("retention", "days"), [("", None), ("    retention: 30d\n", 30.0)])
def test_retention_is_stated_only_when_rows_expire_ok(retention: str, days: float | None) -> None:
    """A table with no stated retention keeps its rows: no retention_days (the horizon sizes it), none in its figures' inputs."""
    from backend_architect.design.pipeline import design

    text = f"""
system: audit
entities:
  Entry:
    fields: {{action: string}}
    growth: 1M/day
{retention}use_cases:
  - {{name: record entry, actor: service, writes: [Entry], rate: 1M/day}}
"""
    arch = design(spec_of(text))
    entries = next(t for s in arch.datastores for t in s.tables if t.name == "entries")
    assert entries.retention_days == days
    rows = next(f for f in arch.figures if f.key.startswith("rows.") and f.key.endswith(".entries"))
    assert ("retention_days" in rows.inputs) is (days is not None)


@pytest.mark.parametrize("precision", ["decimal(2,1)", "decimal(3,2)", "decimal(6,2)", "decimal(4,1)"])
def test_decimal_examples_fit_their_column_ok(precision: str) -> None:
    """A decimal field's example fits the pattern its numeric(precision, scale) column gives it (no 19.99 in numeric(3,2))."""

    from backend_architect.design.pipeline import design

    text = f"""
system: reviews
entities:
  Review: {{fields: {{body: string, rating: "{precision}"}}}}
use_cases:
  - {{name: write review, actor: user, writes: [Review], rate: 5/s}}
"""
    arch = design(spec_of(text))
    op = next(o for a in arch.apis for o in a.operations if "write review" in o.use_cases)
    schema = next(s for a in arch.apis for s in a.schemas if s.name == op.request_schema)
    rating = next(p for p in schema.properties if p.name == "rating")
    assert rating.pattern
    assert re.fullmatch(rating.pattern.strip("^$"), op.example_request["rating"])


RIDES = """
system: rides
entities:
  Rider: {fields: {name: string}}
  Driver: {fields: {name: string}}
  Ride:
    fields:
      rider: ref(Rider)
      driver: {type: "ref(Driver)?", generated: true}
      pickup: string
      status: "enum[requested,accepted,finished]"
      accepted_at: {type: "datetime?", generated: true}
use_cases:
  - {name: request ride, actor: rider, writes: [Ride.rider, Ride.pickup], kind: create, rate: 10/s}
  - {name: accept ride, actor: driver, kind: action, writes: [Ride.driver, Ride.status, Ride.accepted_at], rate: 10/s}
"""


def test_created_example_leaves_later_fields_unset_ok() -> None:
    """A just-created row's example shows the server-set fields later actions fill (its driver, accepted_at) as null."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(RIDES))
    op = next(o for a in arch.apis for o in a.operations if "request ride" in o.use_cases)
    assert op.kind == "create"
    schema = next(s for a in arch.apis for s in a.schemas if s.name == op.response_schema)
    later = [p.name for p in schema.properties if p.read_only and p.nullable and p.name not in (op.example_request or {})]
    assert later
    assert all(op.example_response[name] is None for name in later)


@pytest.mark.parametrize(
    ("field", "first"), [("clip: {type: blob, avg_bytes: 50MB}", "video/mp4"), ("scan: {type: blob, content_types: [application/pdf]}", "application/pdf")]
)
def test_stored_content_type_is_one_of_the_uploads_allowed_types_ok(field: str, first: str) -> None:
    """The row's content type column admits the upload's allowed types (a CHECK), and the contract's example is one of them."""
    from backend_architect.design.pipeline import design

    text = f"""
system: files
entities:
  Item: {{fields: {{title: string, {field}}}}}
use_cases:
  - {{name: add item, actor: user, writes: [Item], rate: 5/s}}
  - {{name: view item, actor: user, reads: [Item], rate: 5/s}}
"""
    arch = design(spec_of(text))
    name = field.split(":")[0]
    items = next(t for s in arch.datastores for t in s.tables if t.name == "items")
    column = next(c for c in items.columns if c.name == f"{name}_content_type")
    assert column.enum_values[0] == first
    op = next(o for a in arch.apis for o in a.operations if "view item" in o.use_cases)
    assert op.example_response[f"{name}_content_type"] in column.enum_values


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_requests_are_drawn_through_the_edge_ok(name: str, arch: Architecture, document: str) -> None:
    """The architecture diagram sends clients through the load balancer (and the API gateway), never straight to a service."""
    from backend_architect.render.mermaid import render_architecture

    diagram = render_architecture(arch)
    assert "clients --> svc_" not in diagram
    if any(c.kind == "load-balancer" and c.decision == "edge" for c in arch.components):
        assert "clients --> cmp_load_balancer" in diagram
    if any(c.kind == "api-gateway" for c in arch.components):
        assert "cmp_load_balancer --> cmp_api_gateway" in diagram


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_own_artefacts_pass_our_own_review_ok(name: str, arch: Architecture, document: str, tmp_path: Path) -> None:
    """The design's schema folder (PostgreSQL and SQLite) and its contracts, reviewed as a user reviews them, have nothing above info."""
    for name_, text in RENDERED[name].items():
        if name_.startswith(("schema/", "openapi/")):
            (tmp_path / name_).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name_).write_text(text)
    for folder in ("schema", "openapi"):
        findings = review_path(tmp_path / folder).findings
        assert [f"{f.code} {f.message}" for f in findings if f.severity > Severity.INFO] == [], folder


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_sharding_stated_once_with_when_ok(name: str, arch: Architecture, document: str) -> None:
    """Every sharded table says when its shards are built, the same sentence in the data section and the growth stage's timing."""
    stage = next((s for s in arch.stages if s.name == "sharding"), None)
    for store in arch.datastores:
        for t in store.tables:
            if t.sharding is None:
                continue
            assert t.sharding.when.startswith(f"shard key {t.sharding.key};"), t.sharding.when
            assert t.sharding.when in document
            assert stage is not None
            # a table built now builds the stage now; another table's later trigger stays its own (issue 22-z2)
            assert "built now" not in t.sharding.when or stage.now
            line = next(p for p in stage.trigger.split("; ") if p.startswith(f"{t.name}: "))
            assert ("built now" in t.sharding.when) or line.split(": ", 1)[1] in t.sharding.when


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_partitioning_threshold_is_stated_once_per_table_ok(name: str, arch: Architecture, document: str) -> None:
    """One size threshold for time partitions in the whole document, and every table past it that stays whole is named with
    its size and why in the partitioning decision, its bottleneck row agreeing (issue 22-e1)."""
    assert threshold_problems(arch, document) == []


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_table_is_sized_with_the_key_it_is_stored_with_ok(name: str, arch: Architecture, document: str) -> None:
    """Every PostgreSQL table's size figure counts the index bytes of the key it is stored with: a time-partitioned table's
    holds created_at, sized so before the plan is decided (issue 22-e1: sizes were 1-4 % low)."""
    figures = {f.key: f for f in arch.figures}
    for t in (t for s in arch.datastores for t in s.tables if t.wide_column is None):
        for sized in (f for k, f in figures.items() if k.startswith("bytes.") and k.split(".", 2)[2] == t.name):
            assert sized.inputs["index_bytes_per_row"] == index_bytes_per_row(t), (t.name, t.primary_key)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_primary_past_its_headroom_keeps_its_sharding_for_later_ok(name: str, arch: Architecture, document: str) -> None:
    """A primary whose writes (every write the critic counts) pass the write headroom builds the shards of its tables now: no
    sharding on it says "later" while it stands past 70% of its ceiling (issue 22-z2)."""
    known = {f.key: f.value for f in arch.figures}
    for db, entities in databases(arch).items():
        writes = known.get(f"db.primary.writes.peak.{db}", known.get(f"db.writes.peak.{db}", 0.0))
        if writes <= WRITE_HEADROOM * PRIMARY_WRITE_CEILING:
            continue
        for t in (t for s in arch.datastores for t in s.tables if t.entity in entities and t.sharding is not None):
            assert "built now" in (t.sharding.when if t.sharding else ""), f"{name}: {db}'s primary at {writes:,.0f} writes/s; {t.name} later"


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_shard_map_states_one_count_ok(name: str, arch: Architecture, document: str) -> None:
    """Every table of a shard map states the map's one count, sized from all its tables; a foreign key kept between two sharded
    tables joins rows of one shard map (the parent sharded by the column it references)."""
    known = {f.key: f for f in arch.figures}
    sharded = {t.name: t for s in arch.datastores for t in s.tables if t.sharding is not None}
    for table in sharded.values():
        shards = known[f"db.shards.{table.name}"]
        assert f"{shards.value:,.0f} shards at the horizon" in (table.sharding.when if table.sharding else "")
        members = shards.formula.split("together: ")[1].rstrip(")").split(", ") if "together: " in shards.formula else [table.name]
        assert {known[f"db.shards.{m}"].value for m in members} == {shards.value}
        for fk in table.foreign_keys:
            parent = sharded.get(fk.ref_table)
            if parent is not None and not fk.checked_by and parent.name != table.name:
                assert parent.sharding is not None
                assert parent.sharding.key in {*fk.ref_columns, table.sharding.key if table.sharding else ""}, (table.name, fk.ref_table)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_busiest_primary_is_the_primary_it_names_ok(name: str, arch: Architecture, document: str) -> None:
    """The busiest primary's writes are those of the primary it names, and the design says which."""
    known = {f.key: f for f in arch.figures}
    busiest = known.get("db.write_utilisation")
    if busiest is None:
        return
    which = busiest_write_primary(busiest.quantity)
    primary = which.split(": ", 1)[0]  # an unsharded primary says what its writes are after a colon
    if primary.startswith("one shard of "):
        stated = known[f"db.shard.writes.{primary.removeprefix('one shard of ').split(' ')[0]}"].value
    elif primary.endswith("'s unsharded primary"):
        stated = known[f"db.primary.writes.peak.{primary.removesuffix(chr(39) + 's unsharded primary')}"].value
        assert which != primary or stated == 0, f"{name}: the unsharded primary's writes are not said: {which}"
    elif primary.endswith("'s primary"):
        stated = known[f"db.writes.peak.{primary.removesuffix(chr(39) + 's primary')}"].value
    else:
        pytest.fail(f"{name}: the busiest primary is not named: {busiest.quantity}")
    assert busiest.inputs["peak_write"] == pytest.approx(stated)
    assert f"busiest primary ({which})" in document


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_worker_reads_only_its_own_services_data_ok(name: str, arch: Architecture, document: str) -> None:
    """One database per service: a worker's reads from the database (a fan-out worker's follower pages) are of data a service
    running it owns, so no worker attached to one service reads another's database directly."""
    owners = {e: s.name for s in arch.services for e in s.entities}
    workers = {c.name: c for c in arch.components if c.kind == "worker"}
    for mechanism in arch.mechanisms:
        worker = workers.get(mechanism.store)
        if worker is None or len(arch.services) < 2:
            continue
        for load in mechanism.loads:
            if load.reads_per_s and load.entity in owners:
                assert owners[load.entity] in worker.services, (worker.name, load.entity, worker.services)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_owner_only_description_matches_declared_404_ok(name: str, arch: Architecture, document: str) -> None:
    """An operation that says others get 404 declares 404; one without an id in its path says no such thing."""
    for api in arch.apis:
        for op in api.operations:
            if "others get 404" in op.description:
                assert 404 in op.error_statuses, (op.method, op.path)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_if_match_stated_alike_in_contract_and_table_ok(name: str, arch: Architecture, document: str) -> None:
    """The contract's If-Match parameter and design.md's API table state the same requirement."""
    from backend_architect.ir.query import if_match
    from backend_architect.render.openapi import render_openapi

    for api in arch.apis:
        contract = render_openapi(api, arch)
        for op in api.operations:
            if if_match(op) is None:
                continue
            declared = contract["components"]["parameters"]["IfMatch"]["required"]
            assert declared == (if_match(op) == "required")
            assert f"If-Match {if_match(op)}" in document


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_index_serves_only_use_cases_reading_the_table_ok(name: str, arch: Architecture, document: str) -> None:
    """Where a search engine answers full text, no database index names a search use case among those it serves."""
    if not any(c.kind == "search-engine" for c in arch.components):
        return
    for store in arch.datastores:
        for t in store.tables:
            for index in t.indexes:
                named = [u for u in SEARCHES[name] if any(f"use case '{u}'" in r for r in index.reasons)]
                assert not named, (t.name, index.name, named)


def _answer(arch: Architecture, use_case: str) -> set[str]:
    """The properties a use case's answer carries: a page's items, or the object itself (empty when it answers no body)."""
    op = next((o for a in arch.apis for o in a.operations if use_case in o.use_cases), None)
    schemas = {s.name: s for a in arch.apis for s in a.schemas}
    if op is None or op.response_schema not in schemas:
        return set()
    answer = schemas[op.response_schema]
    items = next((p.items for p in answer.properties if p.name == "items" and p.items), None)
    return {p.name for p in schemas[items or answer.name].properties}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_store_answers_a_read_alone_only_when_it_holds_all_it_reads_ok(name: str, arch: Architecture, document: str) -> None:
    """A read kept off the database (share 0) reads nothing its store does not hold, but what another service owns and its flow
    reads from there by a drawn call or an event-fed copy (a feed's graph); one that is not is counted on the database."""
    spec = spec_of(WRITTEN[name]) if name in WRITTEN else load_spec(next(p for p in FILES if f"{p.parent.name}/{p.stem}" == name)).spec
    reads = {u.name: {r.split(".")[0] for r in u.reads} for u in spec.use_cases}
    owner = {e: s.name for s in arch.services for e in s.entities}
    flows = {f.use_case: f for f in arch.flows}
    for mechanism in arch.mechanisms:
        if mechanism.serves == "read" and mechanism.database_share == 0:
            steps = flows[mechanism.use_case].steps
            drawn = {s.target for s in steps if s.kind == "query"} | {s.source for s in steps if s.kind == "event" and s.target == steps[0].target}
            elsewhere = {e for e in reads[mechanism.use_case] if owner.get(e) in drawn - {steps[0].target}}
            assert reads[mechanism.use_case] - elsewhere <= set(mechanism.entities), (mechanism.use_case, mechanism.entities)
        elif mechanism.serves == "read":
            assert not any(c.use_case == mechanism.use_case and c.strategy == "read-model" for c in arch.caches), mechanism.use_case
        if mechanism.serves == "read" and mechanism.pattern == "PAT022":
            assert any(p.endswith("online") for p in _answer(arch, mechanism.use_case)), mechanism.use_case


def test_reads_of_presence_and_latest_values_answer_what_they_read_ok() -> None:
    """The roster's online board answers each agent's flag; its shift card, reading a queue too, carries the load and reaches the database."""
    arch = next(a for n, a, _ in DESIGNS if n == "roster")
    assert {"agent_online", "agent_last_seen_at"} <= _answer(arch, "queue board")
    assert "load" in _answer(arch, "shift card")
    card = next(m for m in arch.mechanisms if m.use_case == "shift card")
    assert card.database_share == 1.0
    assert "Queue" in card.how


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_sharded_databases_are_sized_per_shard_everywhere_ok(name: str, arch: Architecture, document: str) -> None:
    """Each shard map's load is one figure the capacity table, the growth stage, the availability plan and the hand-off state; the
    busiest-primary figures the bottlenecks read are at least every built shard's (never one primary for a sharded table)."""
    known = {f.key: f for f in arch.figures}
    heads = [k.removeprefix("db.shard.writes.") for k in known if k.startswith("db.shard.writes.")]
    sharded = [t.name for s in arch.datastores for t in s.tables if t.sharding is not None]
    if not sharded:
        pytest.skip("nothing sharded")
    assert heads
    stage = next(s for s in arch.stages if s.name == "sharding")
    for head in heads:
        writes = known[f"db.shard.writes.{head}"]
        assert f"| {writes.quantity} |" in document
        assert f"each shard {fmt(writes.value)} writes/s" in " ".join(stage.adds)
        nodes = known[f"db.nodes.{head}"].value
        assert arch.availability is not None
        assert f"= {fmt(nodes)} nodes" in arch.availability.database
        if "once sharded" not in writes.quantity:
            assert known["db.write_utilisation"].value >= writes.value / 5_000 - 1e-12
            assert known["db.read_replicas"].value >= known[f"db.shard.read_replicas.{head}"].value
    for store in arch.datastores:
        for table in store.tables:
            for write in table.sharding.co_writes if table.sharding else ():
                assert write.mechanism, f"{write.use_case}: rows on other shards with nothing replacing the transaction"
                assert write.mechanism in document


def _push_terms(arch: Architecture) -> dict[tuple[str, str], float]:
    """(provider, use case id) -> push notifications/s, from the ``push.<provider>.<use case>`` figures."""
    providers = {e.name for e in arch.externals if e.kind.lower() in {"push", "notification", "notifications"}}
    found = {}
    for f in arch.figures:
        head, _, rest = f.key.partition(".")
        provider, _, use_case = rest.partition(".")
        if head == "push" and provider in providers:
            found[(provider, use_case)] = f.value
    return found


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_push_provider_calls_are_its_share_of_the_notifications_ok(name: str, arch: Architecture, document: str) -> None:
    """A push provider's calls are its share of the pushed notifications (recipients not connected), never one call per event each."""
    known = {f.key: f for f in arch.figures}
    terms = _push_terms(arch)
    providers = {e.name for e in arch.externals if e.kind.lower() in {"push", "notification", "notifications"}}
    for provider in providers:
        calls = known.get(f"qps.peak.external.{provider}")
        pushed = {u: v for (p, u), v in terms.items() if p == provider}
        if calls is None:
            assert not pushed, provider
            continue
        assert not any(k.endswith("_x_fanout") for k in calls.inputs), calls.inputs
        assert {k.removeprefix("push_"): v for k, v in calls.inputs.items() if k.startswith("push_")} == pytest.approx(pushed)
    for use_case in {u for _, u in terms}:
        offline = known.get(f"realtime.push.{use_case}")
        if offline is not None:
            assert sum(v for (_, u), v in terms.items() if u == use_case) == pytest.approx(offline.value)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_offline_text_and_diagrams_name_the_pushing_providers_ok(name: str, arch: Architecture, document: str) -> None:
    """A channel pushes through exactly the providers its figures count, and the sequence diagram labels them as pushes."""
    from backend_architect.render.mermaid import node_id
    from backend_architect.render.sequence import render_sequence
    from backend_architect.spec.model import slug

    terms = _push_terms(arch)
    prefix = "recipients not connected get a push notification through "
    for channel in arch.channels:
        counted = {p for (p, u), v in terms.items() if v and u in {slug(n) for n in channel.use_cases}}
        if channel.offline.startswith(prefix):
            assert set(channel.offline.removeprefix(prefix).split(" (")[0].split(", ")) == counted, channel.name
        else:
            assert not counted, channel.name
    for flow in arch.flows:
        for provider in {p for (p, u) in terms if u == slug(flow.use_case)}:
            step = next((s for s in flow.steps if s.kind == "event" and s.target == provider), None)
            if step is not None and step.via == "outbox":
                # the relay's event reaches the provider from the broker where the design runs one (ir.query.delivery_hops)
                broker = next((node_id("p", c.name) for c in arch.components if c.kind == "broker"), "outbox")
                assert f"{broker}-){node_id('p', provider)}: push notification to" in render_sequence(arch, flow)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_partition_maintenance_in_the_text_is_the_ddls_ok(name: str, arch: Architecture, document: str) -> None:
    """A partitioned table's text names its maintenance function with the periods ahead, hot window and expiry the DDL's function runs."""
    for store in arch.datastores:
        ddl = render_ddl(store, "postgresql")
        for table in (t for t in store.tables if t.partitioning is not None):
            plan = table.partitioning
            assert plan is not None
            assert maintenance_summary(table) in document
            function = partition_maintenance_name(table.name)
            body = ddl[ddl.index(f"{function}() RETURNS void") : ddl.index("$fn$;", ddl.index(f"{function}() RETURNS void"))]
            assert f"FOR ahead IN 0..{plan.ahead} LOOP" in body
            assert f"SELECT {store.schema_name + '.' if store.schema_name else ''}{function}();" in ddl
            hot = re.search(r"the last ([\d,]+) days hot", plan.reason)
            tiered = [d for d in arch.decisions if d.id == f"storage.{table.name}" and "tablespace" in d.choice]
            assert (plan.cold_after_days is not None) == bool(hot) == bool(tiered)
            if plan.cold_after_days is not None and hot:
                assert hot.group(1) == f"{plan.cold_after_days:,.0f}"
                assert f"part.ends <= now() - interval '{plan.cold_after_days:.0f} days' AND part.reltablespace" in body
            if plan.expire_after_days is not None:
                assert f"part.ends <= now() - interval '{plan.expire_after_days:.0f} days' THEN" in body
                assert ("DETACH PARTITION" in body) == bool(plan.archive_to)
            else:
                assert "DROP TABLE" not in body
                assert "DETACH" not in body


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_outbox_consumers_and_idempotency_have_their_tables_ok(name: str, arch: Architecture, document: str) -> None:
    """A service publishing through the outbox, consuming events or taking Idempotency-Key has that table in its own database's DDL;
    an event a store's CDC log or the write path itself publishes needs no outbox row, one only a worker consumes still does."""
    roles = {s.service: {t.role: t.name for t in s.tables if t.role} for s in arch.datastores if s.engine == "postgresql"}
    services = {s.name for s in arch.services}
    expected: set[tuple[str, str]] = set()
    for flow in arch.flows:
        # a worker's own steps (a fan-out worker's read of the followers, its pushes into Redis) publish nothing
        for step in (s for s in flow.steps if s.kind == "event" and s.via in {"outbox", "cdc"} and s.source in services):
            if step.via == "outbox":
                expected.add((step.source, "outbox"))
            if step.target in services and step.target != step.source:
                expected.add((step.target, "inbox"))
    expected |= {(e.producer, "outbox") for e in arch.events if event_source(arch, e) == OUTBOX_SOURCE}
    # every service consuming an event keeps its processed events, a worker it runs included unless the worker writes elsewhere
    # idempotently by key (a fan-out worker's Redis pushes, an indexer's documents)
    expected |= {(service, "inbox") for e in arch.events for service in recording_services(arch, e) if service in services}
    # a key guarding a write a wide-column store holds is kept in that store (its CQL), not in PostgreSQL
    held = {u for a in arch.apis for u in held_keys(arch, a.service)}
    expected |= {(a.service, "idempotency") for a in arch.apis for op in a.operations if op.idempotency_key and set(op.use_cases) - held}
    if "through the transactional outbox" in document:
        assert any(role == "outbox" for _, role in expected)
    for service, role in expected:
        table = roles.get(service, {}).get(role)
        assert table is not None, (service, role)
        store = next(s for s in arch.datastores if s.service == service)
        assert f"CREATE TABLE {store.schema_name + '.' if store.schema_name else ''}{table} (" in render_ddl(store, "postgresql")
        assert f"#### {table}" in document
    assert {(s, r) for s, found in roles.items() for r in found} == expected


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_idempotency_keys_only_where_the_method_is_not_idempotent_ok(name: str, arch: Architecture, document: str) -> None:
    """Idempotency-Key is taken by POSTs only: a PUT or DELETE repeats safely by its method, and its stored keys would cost rows for nothing."""
    for api in arch.apis:
        for op in api.operations:
            if op.idempotency_key:
                assert op.method == "post", (op.method, op.path)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_in_process_outbox_names_the_consumers_beside_the_deployable_ok(name: str, arch: Architecture, document: str) -> None:
    """An outbox relayed in process says which consumers run outside the deployable, never "every consumer runs in the same deployable" beside them."""
    messaging = next((d for d in arch.decisions if d.id == "messaging"), None)
    if messaging is None or not messaging.choice.startswith("Transactional outbox"):
        return
    outside = {s.name for s in arch.services} | {x.name for x in arch.externals}
    beside = {c for e in arch.events for c in e.consumers if c not in outside}
    for consumer in beside:
        assert consumer in messaging.rationale, consumer
    for external in (x.name for x in arch.externals):
        assert f"{external} read" not in messaging.rationale
        assert f"{external}, " not in messaging.rationale
    if beside:
        assert "every consumer runs in the same deployable" not in messaging.rationale


def test_the_table_holds_an_in_process_outbox_with_workers_beside_it_ok() -> None:
    """The check above is not empty: some design of the table relays its outbox in process beside a worker."""
    found = [
        n
        for n, arch, _ in DESIGNS
        if any(d.id == "messaging" and d.choice.startswith("Transactional outbox") for d in arch.decisions) and any(c.kind == "worker" for c in arch.components)
    ]
    assert found


def test_list_without_pages_says_it_answers_one_bounded_page_ok() -> None:
    """page: none keeps one bounded answer: the contract says so and the bottleneck names the rows it cannot reach."""
    from backend_architect.design.pipeline import design

    text = SHARDED_INGEST.replace("filter: [meter], rate: 50/s}", "filter: [meter], page: none, rate: 50/s}")
    arch = design(spec_of(text))
    op = next(o for a in arch.apis for o in a.operations if "meter history" in o.use_cases)
    assert "Not paged (page: none): answers at most" in op.description
    [found] = [b for b in arch.bottlenecks if b.title == "List without pages in 'meter history'"]
    assert "cannot be reached" in found.trigger


def test_soft_deleted_rows_never_appear_in_examples_ok() -> None:
    """Reads skip soft-deleted rows, so no example (a page's items, a get, an update's answer) shows deleted_at set."""
    from backend_architect.design.pipeline import design

    text = """
system: notes
entities:
  Note: {fields: {title: string(120), body: text}, soft_delete: true, rows: 10k}
use_cases:
  - {name: write note, writes: [Note], rate: 5/s}
  - {name: list notes, reads: [Note], rate: 50/s}
  - {name: read note, kind: get, reads: [Note], rate: 50/s}
  - {name: rename note, kind: update, writes: [Note.title], rate: 1/s}
"""
    arch = design(spec_of(text))
    shown = 0
    for op in (o for a in arch.apis for o in a.operations if isinstance(o.example_response, dict)):
        items = op.example_response.get("items")
        for row in items if isinstance(items, list) else [op.example_response]:
            if isinstance(row, dict) and "deleted_at" in row:
                shown += 1
                assert row["deleted_at"] is None, op.operation_id
    assert shown >= 3


#: A ride's lifecycle whose states are not the verbs' past tenses ('end' leads to completed, 'start' to in_progress).
RIDES_LIFECYCLE = """
system: rides
entities:
  Ride: {fields: {status: "enum[requested,in_progress,completed,cancelled]", pickup: string(200)}, rows: 1M}
use_cases:
  - {name: request ride, writes: [Ride], rate: 10/s}
  - {name: start ride, kind: action, writes: [Ride.status], rate: 10/s}
  - {name: end ride, kind: action, writes: [Ride.status], rate: 10/s}
  - {name: cancel ride, kind: action, writes: [Ride.status], rate: 1/s}
"""


@pytest.mark.parametrize(("use_case", "state"), [("start ride", "in_progress"), ("end ride", "completed"), ("cancel ride", "cancelled")])
def test_lifecycle_verb_example_shows_its_outcome_ok(use_case: str, state: str) -> None:
    """A verb whose past tense is no state still leads to its outcome ('end ride' answers completed, never requested)."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(RIDES_LIFECYCLE))
    op = next(o for a in arch.apis for o in a.operations if use_case in o.use_cases)
    assert op.example_response["status"] == state


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_queued_externals_are_never_drawn_as_calls_ok(name: str, arch: Architecture, document: str) -> None:
    """An external a service reaches only through its outbox is an event arrow in both diagrams and the boundaries, never a call."""
    from backend_architect.ir.query import external_calls

    plain, mermaid = RENDERED[name]["diagrams/architecture.txt"], RENDERED[name]["diagrams/architecture.mmd"]
    for service in arch.services:
        called, queued = external_calls(arch, service.name)
        for external in called:
            assert f"{service.name} --call--> {external} (external)" in plain
        for external in queued:
            assert f"{service.name} --call--> {external} (external)" not in plain, (service.name, external)
            assert not re.search(rf"svc_\w+ -->\|call\| ext_{re.escape(external)}\b", mermaid), (service.name, external)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_gateway_access_is_one_fact_ok(name: str, arch: Architecture, document: str) -> None:
    """Anonymous connections are taken exactly where a channel is public: the gateway decision and the AsyncAPI security agree."""
    if not arch.channels:
        return
    public = {c.address for c in arch.channels if c.access == "public"}
    choice = next(d for d in arch.decisions if d.id == "realtime.gateway").choice
    document_ = yaml.safe_load(RENDERED[name]["asyncapi/realtime-gateway.yaml"])
    assert ("anonymously, no token needed" in choice) == bool(public), choice
    assert ("security" in document_["servers"]["gateway"]) == (not public)
    for operation in document_["operations"].values():
        address = document_["channels"][operation["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
        assert ("security" in operation) == (bool(public) and address not in public), address


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_relayed_co_write_is_never_called_strong_ok(name: str, arch: Architecture, document: str) -> None:
    """Where a relay applies a co-write's rows now, no boundary calls that pair written together under strong consistency."""
    entity = {t.name: t.entity for s in arch.datastores for t in s.tables if t.entity}
    for store in arch.datastores:
        for table in store.tables:
            for write in table.sharding.co_writes if table.sharding else []:
                if not write.mechanism or write.since != "now":
                    continue
                for other in write.tables:
                    pair = {entity.get(table.name), entity.get(other)}
                    for reason in (r for s in arch.services for r in s.rationale if f"by '{write.use_case}'" in r):
                        if all(e and e in reason.split(" are written together")[0] for e in pair):
                            assert "under strong consistency" not in reason, reason
                            assert "eventual consistency" in reason, reason


def test_the_table_holds_a_relayed_co_write_ok() -> None:
    """The table has a design whose co-write a relay applies now, so the check above is not empty."""
    writes = [w for _, arch, _ in DESIGNS for s in arch.datastores for t in s.tables if t.sharding for w in t.sharding.co_writes]
    assert any(w.since == "now" and w.mechanism for w in writes)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_unique_keys_hold_across_shards_ok(name: str, arch: Architecture, document: str) -> None:
    """A sharded table's unique key holds across its shards: it includes the shard key, or a uniqueness table keyed by the value
    holds it, stated alike in the data section and the DDL, placed and sized; no per-shard constraint claims more."""
    ddl = "\n".join(text for path, text in RENDERED[name].items() if path.endswith(".postgresql.sql"))
    known = {f.key for f in arch.figures}
    for store in arch.datastores:
        tables = {t.name: t for t in store.tables}
        for table in (t for t in store.tables if t.sharding is not None):
            assert table.sharding is not None
            guarded = {tuple(g.columns): g for g in table.sharding.uniques}
            for unique in table.uniques:
                if table.sharding.key in unique.columns:
                    assert tuple(unique.columns) not in guarded
                    continue
                guard = guarded[tuple(unique.columns)]
                assert tables[guard.table].primary_key == unique.columns
                assert f"across shards, {guard.table} holds it" in unique.reason
                assert guard.how in document
                assert guard.how in ddl
                assert f"| `{guard.table}` |" in document
                assert any(k.startswith("bytes.") and k.endswith(f".{guard.table}") for k in known)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_reads_by_another_column_visit_every_shard_ok(name: str, arch: Architecture, document: str) -> None:
    """A mechanism reading a sharded table by a column other than its shard key (a fan-out paging followers by author) is counted
    on every shard and listed as cross-shard; one naming several values of the shard key a request (a feed's merge over authors)
    is listed as reading one shard per value, counted with the keyed reads; no section says the hot queries stay on one shard."""
    assert "hot queries stay on one shard" not in document
    sharded = {t.entity: t for s in arch.datastores for t in s.tables if t.entity and t.sharding is not None}
    known = {f.key: f for f in arch.figures}
    for mechanism in arch.mechanisms:
        for load in mechanism.loads:
            table = sharded.get(load.entity)
            if table is None or table.sharding is None or not load.by or not load.reads_per_s:
                continue
            # a read by another column naming the shard key beside it (a feed's hydration by id, each entry carrying its author)
            # or by an id carrying its shard reaches one shard: listed as routed, never as crossing
            if load.by != table.sharding.key and (table.sharding.key in load.carries or (load.by == "id" and table.sharding.id_shard)):
                assert any(f"(by {load.by}, routed by" in r for r in table.sharding.routed), table.sharding.routed
                continue
            crossing = load.by != table.sharding.key
            listed = [c for c in table.sharding.cross_shard if f"(by {load.by}" in c]
            if crossing:
                assert any("each asking every shard" in c for c in listed), listed
            else:
                assert bool(listed) == (load.keys_per_read > 1), listed
                assert all("counted with the keyed reads" in c for c in listed), listed
            per_shard = known.get(f"db.shard.reads.{table.name}")
            if crossing and per_shard is not None:
                assert per_shard.inputs["reads_cross_shard"] >= load.reads_per_s - 1e-6


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_sharded_table_is_never_called_unpartitioned_ok(name: str, arch: Architecture, document: str) -> None:
    """What keeps a table whole is time partitioning: no assumption calls a sharded table 'not partitioned'."""
    sharded = {t.name for s in arch.datastores for t in s.tables if t.sharding is not None}
    for text in arch.assumptions:
        table, _, rest = text.partition(": ")
        if table in sharded:
            assert not rest.startswith("not partitioned although"), text


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_media_and_links_agree_across_sections_ok(name: str, arch: Architecture, document: str) -> None:
    """A compressed field's share kept is one figure (decision, media figures, the object store's bytes per row); a played video's
    contract and a short link's redirect are the ones their decisions name, and design.md lists both endpoints."""
    figures = {f.key: f for f in arch.figures}
    for key, kept in ((k, f.value) for k, f in figures.items() if k.startswith("media.kept.")):
        table, field = key.removeprefix("media.kept.").split(".")
        avg = figures[f"media.input_bytes.{table}.{field}"].inputs["avg_bytes"]
        assert figures["bytes.1y.object_store"].inputs[f"{table}_bytes_per_row"] == pytest.approx(avg * kept)
        made = next(d for d in arch.decisions if d.id.startswith("media.") and d.subject and d.subject.endswith(f".{field}"))
        assert f"keeping {kept:.0%} of its bytes" in made.choice
    for op in (o for a in arch.apis for o in a.operations):
        if op.response_schema and op.response_schema.endswith("Playback"):
            assert any(d.id.startswith("media.") and "GET .../playback" in d.choice for d in arch.decisions)
            assert f"`/v1{op.path}`" in document
        if op.success_status == 302:
            keyed = next(d for d in arch.decisions if d.id == f"short-keys.{snake(op.entity or '')}")
            assert f"GET {op.path} answers 302 Found" in keyed.choice
            assert f"`/v1{op.path}`" in document


def test_the_table_holds_media_and_links_ok() -> None:
    """The consistency table holds a compressed field, a played video and a short link's redirect, so the check above is not empty."""
    ops = [o for _, arch, _ in DESIGNS for a in arch.apis for o in a.operations]
    assert any(o.success_status == 302 for o in ops)
    assert any((o.response_schema or "").endswith("Playback") for o in ops)
    assert any(f.key.startswith("media.kept.") for _, arch, _ in DESIGNS for f in arch.figures)


def _spec(name: str) -> Spec:
    """The spec of the table's design ``name``."""
    by_name = {f"{p.parent.name}/{p.stem}": p for p in FILES}
    return load_spec(by_name[name]).spec if name in by_name else spec_of(WRITTEN[name])


def _analysis(name: str) -> Analysis:
    """The analysis of the table's design ``name``."""
    return analyse(_spec(name))


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_shared_caches_only_where_every_caller_gets_the_same_response_ok(name: str, arch: Architecture, document: str) -> None:
    """No CDN plan on a read that needs a token; every CDN read's contract says public (anonymous) Cache-Control."""
    auth = {op_use: op.auth for api in arch.apis for op in api.operations for op_use in op.use_cases}
    for plan in arch.caches:
        if plan.strategy == "cdn" and plan.use_case in auth:
            assert auth[plan.use_case] != "required", plan.use_case
            ops = [op for api in arch.apis for op in api.operations if op.use_cases == [plan.use_case]]
            assert all((op.cache_control or "").startswith("public") for op in ops), plan.use_case


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_never_changing_rows_are_written_by_nothing_after_creation_ok(name: str, arch: Architecture, document: str) -> None:
    """A cache that says its rows never change reads only entities no use case, counter or job changes after creation."""
    analysis = _analysis(name)
    facts = analysis.entities
    for plan in arch.caches:
        if "never change" in plan.rationale:
            use_case = next(u for u in analysis.use_cases if u.name == plan.use_case)
            assert not [c for e in use_case.entities if e in facts for c in facts[e].changes], plan.use_case


#: What a cache says when it assumes the rows it holds are never written after their create.
NEVER_CHANGES = ("immutable rows", "never change once written", "rows never change")


def _changed_after_create(name: str, arch: Architecture, entity: str) -> list[str]:
    """Who writes ``entity``'s rows after their create, read from the spec's use cases and the built tables, not the analysis:
    a request updating it, a job rewriting it, a column the server sets later (a media status, a kept counter)."""
    kinds = {u.name: u.kind for u in _analysis(name).use_cases}
    found = [
        u.name
        for u in _spec(name).use_cases
        if kinds[u.name] not in {"create", "delete", "get", "list"} and any(w.partition(".")[0] == entity for w in u.writes)
    ]
    for _, table in all_tables(arch):
        if table.entity == entity:
            found += [f"{table.name}.{c.name}" for c in table.columns if c.generated and c.default is not None and c.type not in {"timestamptz", "timestamp"}]
    return found


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_caches_never_changes_has_no_writer_ok(name: str, arch: Architecture, document: str) -> None:
    """A cache's 'never changes' has no writer: a cache calling its rows immutable reads no entity a request updates, a job
    rewrites or whose table holds a column the server sets after the create (a media status, a kept counter)."""
    entities = {u.name: [r.partition(".")[0] for r in u.reads] for u in _spec(name).use_cases}
    for plan in arch.caches:
        if any(words in f"{plan.rationale} {plan.invalidation}" for words in NEVER_CHANGES):
            written = {e: _changed_after_create(name, arch, e) for e in entities.get(plan.use_case, [])}
            assert not {e: w for e, w in written.items() if w}, (plan.use_case, written)


def _video_reads(spec: Spec) -> dict[str, str]:
    """Use cases reading a video blob by name (``reads: [Video.data]``), with the entity, read from the spec alone."""
    found = {}
    for use_case in spec.use_cases:
        for read in use_case.reads:
            entity, _, field = read.partition(".")
            declared = spec.entities[entity].fields.get(field) if entity in spec.entities else None
            media = declared.media if declared is not None and declared.type.kind == "blob" else None
            if media is not None and (media.transcode or any(re.fullmatch(r"\d{3,4}p|[248]k", r.lower()) for r in media.renditions)):
                found[use_case.name] = entity
    return found


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_played_read_is_sized_on_the_operation_that_plays_it_ok(name: str, arch: Architecture, document: str) -> None:
    """A use case reading a video is the playback operation's (its rate, cache and latency attach there), authorized as the item's
    read, and no edge cache keeps its signed answer."""
    ops = [o for api in arch.apis for o in api.operations]
    for use_case, entity in _video_reads(_spec(name)).items():
        serving = [o for o in ops if use_case in o.use_cases]
        assert [o.response_schema for o in serving] == [f"{entity}Playback"], (use_case, [o.path for o in serving])
        item = next(o for o in ops if o.method == "get" and o.path == serving[0].path.removesuffix("/playback"))
        assert (item.auth, item.scopes) == (serving[0].auth, serving[0].scopes), use_case
        assert all(c.strategy not in {"cdn", "http"} for c in arch.caches if c.use_case == use_case), use_case


def test_the_table_holds_caches_of_rows_that_change_and_of_rows_that_do_not_ok() -> None:
    """The table holds a resolve cache calling its rows immutable and one over rows the media workers change."""
    said = {name: [f"{c.rationale} {c.invalidation}" for c in arch.caches] for name, arch, _ in DESIGNS}
    assert any("immutable rows" in s for texts in said.values() for s in texts)
    assert any("the media workers set data_status" in s for s in said["reel-codes"])
    assert any("the job 'expire coupons'" in s for s in said["coupon-codes"])
    assert any(_video_reads(_spec(name)) for name, _, _ in DESIGNS)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_unrated_read_endpoints_count_in_database_reads_ok(name: str, arch: Architecture, document: str) -> None:
    """Every GET of a created resource that no use case rates adds its reads to its database's read figure; a row a
    wide-column store keeps is read back from there, never counted on the relational database."""
    inputs = {k for f in arch.figures if f.key.startswith("db.reads.peak.") for k in f.inputs}
    wide = {t.entity for s in arch.datastores for t in s.tables if t.wide_column is not None}
    for api in arch.apis:
        for op in api.operations:
            by_id = op.method == "get" and op.kind == "get" and op.path.endswith("}")
            if op.entity in wide:
                assert f"readback_{op.operation_id}" not in inputs, op.operation_id
                continue
            if by_id and not op.use_cases and not op.internal and f"readback_{op.operation_id}" not in inputs:
                # an appended row (its create answered its final state) and a value kept in memory are not read back
                facts = _analysis(name).entities.get(op.entity or "")
                if facts is not None and facts.mutability == "append_only":
                    continue
                creates = [
                    u
                    for u in _analysis(name).use_cases
                    if u.kind == "create" and u.entity == op.entity and u.peak_qps and served_by(arch, u.name, "write") is None
                ]
                assert not creates, op.operation_id


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_index_for_a_read_another_store_serves_ok(name: str, arch: Architecture, document: str) -> None:
    """An index designed for a use case is for one whose reads reach the database (none served by GEO sets or precomputed lists)."""
    elsewhere = {m.use_case for m in arch.mechanisms if m.serves == "read" and m.database_share == 0 and m.store == "redis" and "GEOSEARCH" in m.how}
    for store in arch.datastores:
        for t in store.tables:
            for index in t.indexes:
                assert not [r for r in index.reasons for u in elsewhere if r.startswith(f"use case '{u}'")], (t.name, index.name)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_every_flow_has_its_latency_from_its_parts_ok(name: str, arch: Architecture, document: str) -> None:
    """No request is timed 0 ms: each flow's expected latency is the sum of its parts, and design.md states that one figure."""
    for flow in arch.flows:
        assert flow.latency_parts, flow.use_case
        assert flow.expected_latency_ms > 0
        assert flow.expected_latency_ms == pytest.approx(sum(p.ms for p in flow.latency_parts), abs=1e-3)
        assert f"| {flow.use_case} | {flow.latency_budget_ms:,.0f} ms | {flow.expected_latency_ms:,.1f} ms |" in document
    assert "constraints.operation_ms: not given; latency per operation assumed: " in document


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_read_replica_stage_is_the_replica_figure_ok(name: str, arch: Architecture, document: str) -> None:
    """The read-replica growth stage is built now exactly when the design sizes replicas, and a primary past the 70% headroom has them."""
    from backend_architect.design.patterns._common import READ_HEADROOM

    known = {f.key: f.value for f in arch.figures}
    stage = next((s for s in arch.stages if s.name == "read replicas"), None)
    if stage is None or "db.read_replicas" not in known:
        return
    assert stage.now is (known["db.read_replicas"] > 0), stage.trigger
    steered = any(d.id.startswith("read-replicas.") and d.decided_by == "spec" for d in arch.decisions)
    if known["db.read_utilisation"] > READ_HEADROOM and not steered:
        assert stage.now, stage.trigger


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_summary_volumes_are_the_figures_ok(name: str, arch: Architecture, document: str) -> None:
    """The summary's content a day, payload ingress and object storage at today's rate are the Capacity figures, as design.md prints them."""
    from backend_architect.render.numbers import human

    summary = document.split("## Architecture")[0]
    figures = {f.key: f for f in arch.figures}
    for key, unit in (("storage.content_bytes_per_day", "bytes"), ("bandwidth.ingress_payload", "bytes/s"), ("bandwidth.ingress", "bytes/s")):
        if key in figures:
            assert human(figures[key].value, unit) in summary, key
    for key, f in figures.items():
        if key.startswith("storage.object_store.at_today_rate_"):
            assert f"{human(f.value, 'bytes')} added at today's upload rate (`{key}`)" in summary


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_cdn_paths_state_both_hit_ratios_ok(name: str, arch: Architecture, document: str) -> None:
    """A CDN path's record states the CDN's hit ratio, and the shared cache's behind it where the CDN does not settle the path;
    the database is sized for what both miss."""
    known = {f.key: f.value for f in arch.figures}
    ids = {u.name: u.id for u in _analysis(name).use_cases}
    reads = {k: v for f in arch.figures if f.key.startswith("db.reads.peak.") for k, v in f.inputs.items()}
    for plan in arch.caches:
        uid = ids.get(plan.use_case)
        # a plan another pattern made (a short key's redirect at the edge, keyed by its code) states its own numbers
        read_path = plan.key is not None and plan.key.endswith(f":{uid}:{{params}}")
        if plan.strategy != "cdn" or uid is None or f"cache.hit_ratio.{uid}" not in known or not read_path:
            continue
        cdn = known[f"cache.hit_ratio.{uid}"]
        assert f"the CDN answers {cdn:.1%}" in plan.rationale, plan.use_case
        if plan.origin_ttl_seconds:
            behind = known[f"cache.origin.hit_ratio.{uid}"]
            assert f"answers {behind:.1%} of the" in plan.rationale
            if f"peak_{uid}" in reads:
                assert reads[f"peak_{uid}"] == pytest.approx(known[f"qps.peak.{uid}"] * (1 - cdn) * (1 - behind), rel=1e-6)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_replica_lag_follows_the_replicas_decided_ok(name: str, arch: Architecture, document: str) -> None:
    """A replicas record whose choice keeps replicas anywhere (per shard or on the primary) never says there is no lag to reason about."""
    for made in (d for d in arch.decisions if d.id.startswith("read-replicas.")):
        kept = " per shard of " in made.choice or not made.choice.startswith("no read replicas")
        assert ("no replication lag to reason about" in made.consequences) is not kept, (made.choice, made.consequences)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_foreign_keys_only_between_rows_on_one_server_ok(name: str, arch: Architecture, document: str) -> None:
    """A foreign key joining tables placed apart (another shard map, or the unsharded primary), once sharded or today (one side
    sharded now, the other at its later stage), says how it is checked, and the DDL declares no constraint for it; one between rows
    on one server at both stages is the database's, declared in the DDL and drawn as a foreign key in the data section."""
    from backend_architect.design.co_writes import placements
    from backend_architect.design.cross_server_keys import placements_today

    where, today = placements(arch), placements_today(arch)
    for store in arch.datastores:
        ddl = RENDERED[name].get(f"schema/{store.name}.postgresql.sql", "")
        for t in store.tables:
            for fk in t.foreign_keys:
                apart = where[fk.ref_table] != where[t.name] or today[fk.ref_table] != today[t.name]
                assert bool(fk.checked_by) is apart, (t.name, fk.ref_table, fk.checked_by)
                columns = ", ".join(fk.columns)
                if fk.checked_by:
                    assert f"CONSTRAINT {fk.name} " not in ddl, fk.name
                    assert f"- reference `{columns}` → `{fk.ref_table}` on another server" in document, (t.name, fk.name)
                elif ddl and t.partitioning is None:
                    assert f"CONSTRAINT {fk.name} " in ddl, fk.name


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_search_cluster_nodes_all_hold_shard_copies_ok(name: str, arch: Architecture, document: str) -> None:
    """A search cluster's shards x copies fill its nodes, with a replica of the live index, as the search and redundancy records state."""
    engine = next((c for c in arch.components if c.kind == "search-engine"), None)
    if engine is None or arch.availability is None:
        return
    shards, _, copies = arch.availability.redundancy[engine.name].partition(" shard(s) x ")
    count, kept = int(shards), int(copies.split()[0])
    assert 2 <= kept <= (engine.instances or 0) <= count * kept, (count, kept, engine.instances)
    search = next(d for d in arch.decisions if d.id == "search")
    assert f"{count} shard(s), {kept} copies per shard" in search.choice
    assert f"on {engine.instances} nodes" in search.choice


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_index_names_a_read_another_store_answers_alone_ok(name: str, arch: Architecture, document: str) -> None:
    """A read another store answers alone (a latest value, a GEO set, a column store) is named by no index of its entity's PostgreSQL
    table, unless the index says which other path of it reads there (a feed's rebuild)."""
    alone = {(m.use_case, e) for m in arch.mechanisms if m.serves == "read" and m.database_share == 0 for e in m.entities}
    for store in arch.datastores:
        for t in (t for t in store.tables if t.wide_column is None):
            for index in t.indexes:
                named = [u for u, e in alone if e == t.entity for r in index.reasons if r == f"use case '{u}'" or r.startswith(f"use case '{u}' (")]
                assert not named, (t.name, index.name, named)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_file_examples_tell_one_story_ok(name: str, arch: Architecture, document: str) -> None:
    """Every example showing a file's recorded size or type shows what its upload URL was asked for (one file, one story)."""
    for api in arch.apis:
        uploads = [o for o in api.operations if o.response_schema and o.response_schema.endswith("Upload") and isinstance(o.example_request, dict)]
        for upload in uploads:
            entity = upload.entity or ""
            fields = [p.name for s in api.schemas if s.entity == entity for p in s.properties if p.pattern and p.pattern.startswith("^uploads/")]
            field = next((f for f in fields if len(uploads) == 1 or f.replace("_", "-") in upload.path), None)
            if field is None:
                continue
            expected = {f"{field}_bytes": upload.example_request["bytes"], f"{field}_content_type": upload.example_request["content_type"]}
            for op in (o for o in api.operations if o.entity == entity):
                for example in (op.example_request, op.example_response):
                    rows = example.get("items", [example]) if isinstance(example, dict) else []
                    for row in (r for r in rows if isinstance(r, dict)):
                        for key, value in expected.items():
                            if key in row:
                                assert row[key] == value, (name, op.operation_id, key)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_retries_statement_is_the_contracts_ok(name: str, arch: Architecture, document: str) -> None:
    """design.md's retry statement names exactly the operations whose contract takes Idempotency-Key, and no write twice."""
    keyed = {f"{o.method.upper()} `{a.base_path}{o.path}` ({o.summary})" for a in arch.apis for o in a.operations if o.idempotency_key}
    if "### Retries and idempotency" not in document:
        assert not keyed
        return
    section = document.split("### Retries and idempotency", 1)[1].split("\n### ", 1)[0]
    line = next((x for x in section.splitlines() if "`Idempotency-Key` (optional header)" in x), "")
    assert {k for k in keyed if k in line} == keyed
    assert f"exactly these {len(keyed)} operations" in line or not keyed


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_geo_refusal_is_one_fact_ok(name: str, arch: Architecture, document: str) -> None:
    """An operation answers 451 exactly when it reads a geo-restricted item, whose decision names it, and its shared cache keys by country."""
    for api in arch.apis:
        for op in api.operations:
            assert (451 in op.error_statuses) == (op.country_rule is not None), (name, op.operation_id)
            if op.country_rule is None:
                continue
            made = next(d for d in arch.decisions if d.id.startswith("geo-restriction.") and d.subject == op.country_rule.item)
            assert f"GET {api.base_path}{op.path}" in made.choice
            for cache in (c for c in arch.caches if c.use_case in op.use_cases and c.strategy in {"cdn", "http"}):
                assert cache.key is not None
                assert op.country_rule.header in cache.key
    if name == "licensed-media":
        assert {d.subject for d in arch.decisions if d.id.startswith("geo-restriction.")} == {"Episode", "Poster"}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_every_read_back_a_database_counts_is_its_services_request_ok(name: str, arch: Architecture, document: str) -> None:
    """A created row read back through its GET counts in its database's reads and in its service's peak, which sizes its instances."""
    peaks = {f.key.removeprefix("qps.peak.service."): f.inputs for f in arch.figures if f.key.startswith("qps.peak.service.")}
    served = {k: v for inputs in peaks.values() for k, v in inputs.items() if k.startswith("readback_")}
    for figure in (f for f in arch.figures if f.key.startswith("db.reads.peak.")):
        for key, value in figure.inputs.items():
            if key.startswith("readback_"):
                assert served.get(key, 0.0) >= value - 1e-9, key


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_sharding_thresholds_read_the_insert_figure_ok(name: str, arch: Architecture, document: str) -> None:
    """ "inserts pass 5,000/s (today N/s)" states the table's insert figure (qps.peak.insert.table), the one its shard count reads."""
    from backend_architect.design.loads import peak_inserts

    known = {f.key: f for f in arch.figures}
    stage = next((s for s in arch.stages if s.name == "sharding"), None)
    for table in (t for s in arch.datastores for t in s.tables if t.sharding is not None and stage is not None and f"{t.name}: inserts pass" in stage.trigger):
        figure = known.get(f"qps.peak.insert.table.{table.name}")
        inserts = figure.value if figure is not None else peak_inserts(table.rows_per_day, _analysis(name).peak_factor)
        assert f"{table.name}: inserts pass 5,000/s (today {fmt(inserts)}/s" in stage.trigger
        shards = known.get(f"db.shards.{table.name}")
        if shards is not None and "peak_inserts" in shards.inputs:
            assert shards.inputs["peak_inserts"] == pytest.approx(inserts)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_every_growing_table_counts_in_its_database_writes_ok(name: str, arch: Architecture, document: str) -> None:
    """Every relational table that takes rows (an entity's, one the design derives, a uniqueness table, the outbox, processed events,
    idempotency keys) has writes landing on it in its database's ledger, the one the write figures, utilisation and shards read."""
    from backend_architect.design.loads import database_loads, databases

    ledger = database_loads(_analysis(name), arch)
    homes = {t.name: db for db, stores in _stores_by_db(arch).items() for t in stores}
    for table in (t for s in arch.datastores if s.engine == "postgresql" for t in s.tables if t.wide_column is None and t.rows_per_day):
        load = ledger[homes[table.name]]
        written = {load.entity_of.get(k, "") for k in load.writes}
        if table.role is not None:
            assert any(k.startswith(f"{table.role}_") for k in load.writes), table.name
        else:
            assert {table.entity, table.name} & written, table.name
    assert set(ledger) == set(databases(arch))


def _stores_by_db(arch: Architecture) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for store in arch.datastores:
        found.setdefault(store.name.split(".")[0] if arch.deployment == "modular-monolith" else store.name, []).extend(store.tables)
    return found


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_each_delivery_names_its_channel_and_size_ok(name: str, arch: Architecture, document: str) -> None:
    """One audience, one channel, one size: a delivery's decision names the address of the channel carrying it and its recipients
    per message, which that channel's recipients state; a channel with no key reaches every subscriber; addresses and names are unique."""
    assert len({c.address for c in arch.channels}) == len({c.name for c in arch.channels}) == len(arch.channels)
    for made in (d for d in arch.decisions if d.id.startswith("realtime.") and "Channel: " in (d.consequences or "")):
        channel = next(c for c in arch.channels if made.subject in c.use_cases)
        assert f"Channel: {channel.address}." in (made.consequences or ""), (made.consequences, channel.address)
        recipients = made.inputs["recipients"]
        assert f"{fmt(recipients)} a message" in channel.recipients, (channel.recipients, recipients)
        assert f"to {fmt(recipients)} recipient(s) each" in made.rationale
        if not channel.parameters:
            assert "every one receiving each message" in channel.recipients, channel.recipients


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_last_seen_is_read_from_the_structure_it_is_kept_in_ok(name: str, arch: Architecture, document: str) -> None:
    """Last seen lives in one Redis structure (a field of the row's hash, HSET) and every read of it says that structure's command (HGET)."""
    for made in (d for d in arch.decisions if d.id.startswith("presence.")):
        kept = re.search(r"HSET (\S+) (\S+) <time>", made.choice)
        assert kept is not None, made.choice
        key, field = kept.groups()
        for mechanism in (m for m in arch.mechanisms if m.decision == made.id and m.serves == "read"):
            assert f"HGET {key} {field}" in mechanism.how, mechanism.how
            assert not re.search(r"\bM?GET last_seen", mechanism.how), mechanism.how


def test_the_table_holds_reads_of_last_seen_and_deliveries_to_chosen_recipients_ok() -> None:
    """The two checks above are not empty: some design reads last seen from Redis, some delivers to recipients chosen per message."""
    assert any(m.pattern == "PAT022" and m.serves == "read" for _, arch, _ in DESIGNS for m in arch.mechanisms)
    assert any("to: nearby " in c.recipients for _, arch, _ in DESIGNS for c in arch.channels)
    assert any(not c.parameters for _, arch, _ in DESIGNS for c in arch.channels)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_each_event_leaves_from_one_source_everywhere_ok(name: str, arch: Architecture, document: str) -> None:
    """An event's source (its outbox, its table's CDC log, or the write path itself) is the one its flow, AsyncAPI and events table say."""
    for event in arch.events:
        source = event_source(arch, event)
        steps = {s.via for f in arch.flows if f.use_case == event.use_case for s in f.steps if s.kind == "event" and s.source == event.producer}
        expected = {OUTBOX_SOURCE: "outbox", DIRECT_SOURCE: "pubsub"}.get(source, "cdc")
        assert steps <= {expected}, (event.name, source, steps)
        summary = yaml.safe_load(RENDERED[name][f"asyncapi/{event.producer}.yaml"])["operations"][f"publish{event.name}"]["summary"]
        said = "Publish through the transactional outbox" if source == OUTBOX_SOURCE else f"Publish from {source} (no outbox row)"
        # a message of the same name a write kept in memory publishes itself is named beside, with the write committing this one
        direct = direct_note(arch, event.name)
        assert summary == (f"{said} when '{event.use_case}' commits: {event.name}. Besides, {direct}." if direct else f"{said}: {event.name}.")
    heading = next((line for line in document.splitlines() if line.startswith("Events (")), "")
    assert ("through a transactional outbox" in heading) == any(event_source(arch, e) == OUTBOX_SOURCE for e in arch.events)
    logged = {m.use_case for m in arch.mechanisms if m.serves == "write" and m.publish == "cdc"}
    for flow in (f for f in arch.flows if f.use_case in logged):
        assert not [p.part for p in flow.latency_parts if "commit" in p.part or "standby" in p.part], flow.use_case


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_database_and_broker_records_hold_in_the_design_ok(name: str, arch: Architecture, document: str) -> None:
    """The primary-database record counts the entity tables the DDL holds and claims foreign keys only where one is enforced;
    a Kafka record's partition formula evaluates to the partitions it chose; normalization never says no read joins when one does."""
    from backend_architect.ir.model import enforced

    made = {d.id: d for d in arch.decisions}
    if "database" in made and made["database"].context.startswith("relational data: "):
        tables = [t for s in arch.datastores for t in s.tables if t.role is None]
        assert made["database"].context.startswith(f"relational data: {len(tables)} entity tables"), made["database"].context
        keys = any(enforced(t.foreign_keys) for t in tables)
        assert (", foreign keys and transactions" in made["database"].context) is keys
    kafka = made.get("messaging")
    if kafka is not None and kafka.choice.startswith("Apache Kafka"):
        found = re.search(r"max\(3, ceil\(([\d,.]+) / ([\d,.]+) per partition\) x (\d+) headroom(?:, (\d+) consumers[^)]*)?\) = (\d+)", kafka.rationale)
        assert found, kafka.rationale
        events, per, headroom, consumers, chosen = (float(g.replace(",", "")) if g else 0.0 for g in found.groups())
        assert max(3, math.ceil(events / per) * headroom, consumers) == chosen
        assert f"{int(chosen)} partitions" in kafka.choice
    joining = [u for u in _analysis(name).use_cases if not u.is_write and any(r.join for r in (*u.filters, *u.sorts))]
    if joining:
        assert "no use case reads more than one entity" not in made["normalization"].context
    # the normalization record names exactly the local copies the DDL holds (and the counts kept beside them, derived tables
    # too), and announces no copy of columns nothing builds
    copies = {(t.name, s.name) for s in arch.datastores for t in s.tables if t.name.startswith("known_")}
    named = set(re.findall(r"\b(known_\w+) in ([\w.-]+) \(", made["normalization"].choice))
    assert named == copies, made["normalization"].choice
    assert "copy the fields" not in made["normalization"].choice


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_figure_past_its_bound_silently_ok(name: str, arch: Architecture, document: str) -> None:
    """A primary past its write ceiling or a composite below its target is a critic finding; a gateway's trigger is what it is sized at."""
    handoff = json.loads(RENDERED[name]["handoff.json"])
    findings = {(f["code"], f["where"]) for f in handoff["review"]["findings"]}
    for f in arch.figures:
        if f.key.startswith("db.write_utilisation.") and f.value > 1:
            assert ("DES013", f"database {f.scope}") in findings, f"{f.key} = {f.value:.1%} and no finding"
    plan = arch.availability
    if plan is not None and plan.target is not None and plan.composite < plan.target:
        assert ("DES012", "availability") in findings
    for service in handoff["operations"]["services"]:
        nodes = next((f for f in arch.figures if f.key == f"instances.{service['name']}" and "connections" in f.inputs), None)
        if nodes is None:
            continue
        trigger = next(s for s in service["scaling_signals"] if s.startswith("open connections above"))
        per_node = float(re.search(r"above ([\d,]+)", trigger).group(1).replace(",", ""))  # type: ignore[union-attr]
        assert nodes.inputs["connections"] / nodes.value <= per_node, f"{service['name']}: sized past its own scale-out trigger ({trigger})"


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_technology_one_record_runs_is_rejected_only_with_why_both_hold_ok(name: str, arch: Architecture, document: str) -> None:
    """A technology a component runs is never an alternative a record rejects without naming that part and the role it keeps there."""
    from backend_architect.design.running_alternatives import TECHNOLOGIES

    for record in arch.decisions:
        for alternative in record.alternatives:
            named = [t for t in TECHNOLOGIES if re.match(rf"(apache )?{t}\b", alternative.name.lower())]
            running = [c for c in arch.components if named and named[0] in c.technology.lower() and c.decision != record.id]
            for part in running:
                assert part.name in alternative.why_not or part.technology in alternative.why_not, (
                    record.id,
                    alternative.name,
                    alternative.why_not,
                )
                assert not alternative.why_not.startswith("another store"), alternative.why_not


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_redis_sizing_holds_every_share_ok(name: str, arch: Architecture, document: str) -> None:
    """Redis is sized once: its shards hold its memory at the one per-shard capacity, and no record's share exceeds the cluster's shards."""
    from backend_architect.design.patterns._common import REDIS_NODE_BYTES

    redis = next((c for c in arch.components if c.name == "redis"), None)
    if redis is None:
        return
    stated = (arch.availability.redundancy if arch.availability else {}).get("redis", "")
    found = re.match(r"(\d+) shard\(s\) x (\d+) copies", stated)
    assert found, stated
    shards = int(found.group(1))
    assert shards * REDIS_NODE_BYTES >= (redis.memory_bytes or 0.0)
    cache = next(d for d in arch.decisions if d.id == "cache")
    assert f"{shards} shard(s) x " in cache.context
    for record in arch.decisions:
        for share in re.findall(r"its share: (\d+) shard\(s\) at ([\d,]+) GiB", f"{record.rationale} {record.consequences}"):
            assert int(share[0]) <= shards, record.id
            assert int(share[1].replace(",", "")) == REDIS_NODE_BYTES // 2**30
        assert not re.search(r"\d+ Redis (?:node|shard)\(s\)", f"{record.rationale} {record.consequences}"), record.id


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_partitioning_record_places_only_postgresql_tables_ok(name: str, arch: Architecture, document: str) -> None:
    """The partitioning record never says one PostgreSQL primary holds a table a wide-column store holds; it names those tables and their store."""
    record = next(d for d in arch.decisions if d.id == "partitioning" and d.decided_by == "numbers")
    held = [t for s in arch.datastores for t in s.tables if t.wide_column is not None]
    largest = re.match(r"largest (?:PostgreSQL )?table (\w+):", record.context)
    assert largest, record.context
    assert largest.group(1) not in {t.name for t in held} or all(t.wide_column is not None for s in arch.datastores for t in s.tables)
    for table in held:
        assert table.wide_column is not None
        assert re.search(rf"\b{table.name}\b[^;]* held by {table.wide_column.technology}", record.context), record.context


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_pool_is_sized_from_the_requests_reaching_the_database_ok(name: str, arch: Architecture, document: str) -> None:
    """The pool is sized from the requests reaching the database (issue 22-d1): a service's reads after CDNs and caches and its
    writes, the terms of its database's db.reads.peak and db.writes.peak (all of them where one service holds the database, its
    own share of them in a modular monolith), none of a use case whose rows a wide-column store holds, the formula saying which."""
    from backend_architect.design.loads import databases

    held = {t.entity for s in arch.datastores for t in s.tables if t.wide_column is not None}
    figures = {f.key: f for f in arch.figures}
    holders: dict[str, set[str]] = {}
    for store in arch.datastores:
        if store.service and store.engine == "postgresql":
            holders.setdefault(store.name.split(".")[0] if arch.deployment == "modular-monolith" else store.name, set()).add(store.service)
    for service in arch.services:
        pool = figures[f"connections.{service.name}"]
        if "reads" not in pool.inputs:
            continue  # no PostgreSQL table of its own reached (every row in a wide-column store): the first sizing stands
        assert pool.value == max(5, math.ceil(2 * (pool.inputs["reads"] + pool.inputs["writes"]) * pool.inputs["db_time_per_request"]))
        assert "reaches its PostgreSQL database at peak after CDNs, caches" in pool.formula
        assert ("which the wide-column store holds" in pool.formula) == bool(held & set(service.entities))
    for db in databases(arch):
        pools = [figures[f"connections.{s}"] for s in holders.get(db, set()) if "reads" in figures[f"connections.{s}"].inputs]
        if f"db.reads.peak.{db}" not in figures or not pools:
            continue
        # every read and write reaching the database holds a connection of one of its services' pools, and nothing else does
        assert sum(p.inputs["reads"] for p in pools) == pytest.approx(figures[f"db.reads.peak.{db}"].value), db
        assert sum(p.inputs["writes"] for p in pools) == pytest.approx(figures[f"db.writes.peak.{db}"].value), db


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_every_drawn_part_is_provisioned_and_every_provisioned_part_drawn_ok(name: str, arch: Architecture, document: str) -> None:
    """The architecture diagram's parts are the components to provision: each drawn component node is one, each component is drawn
    (the event relay as the relay of each source of events), and a broker fed by a relay provisions it."""
    diagram = RENDERED[name]["diagrams/architecture.mmd"]
    drawn = set(re.findall(r"^\s+cmp_(\w+)[\[(>{]", diagram, re.MULTILINE))
    names = {re.sub(r"\W", "_", c.name) for c in arch.components}
    assert drawn <= names, drawn - names
    for component in arch.components:
        node = "cmp_" + re.sub(r"\W", "_", component.name)
        assert node in diagram or f"/ {component.name} (" in diagram, component.name
    relayed = [e for e in arch.events if event_source(arch, e) != DIRECT_SOURCE]
    broker = any(c.kind == "broker" for c in arch.components)
    relay = next((c for c in arch.components if c.name == "event-relay"), None)
    assert (relay is not None) == (broker and bool(relayed))
    if relay is not None:
        assert not re.search(r"/ event relay\"", diagram)
        for external in {c for e in relayed for c in e.consumers} & {x.name for x in arch.externals}:
            assert external in relay.purpose
        operations = RENDERED[name]["handoff.json"]
        assert '"event-relay"' in operations


def _values_of(node: Any, key: str) -> list[str]:
    """Every string under ``key`` anywhere in a parsed document."""
    if isinstance(node, dict):
        own = [v for k, v in node.items() if k == key and isinstance(v, str)]
        return own + [found for value in node.values() for found in _values_of(value, key)]
    if isinstance(node, list):
        return [found for value in node for found in _values_of(value, key)]
    return []


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_short_code_examples_have_the_length_the_key_states_ok(name: str, arch: Architecture, document: str) -> None:
    """Every example of a short code (responses, problem instances, short URLs) has the length its key decision states."""
    for figure in (f for f in arch.figures if f.key.startswith("keys.length.")):
        table = figure.key.removeprefix("keys.length.")
        service = next(s.service for s in arch.datastores for t in s.tables if t.name == table)
        contract = yaml.safe_load(RENDERED[name][f"openapi/{service}.yaml"])
        codes = set(re.findall(r"/s/([A-Za-z0-9]+)", yaml.safe_dump(contract)))
        found = _values_of(contract, "code")
        examples = {c for c in [*codes, *found] if c != "{code}"}
        assert examples, name
        assert {len(c) for c in examples} == {int(figure.value)}, (examples, figure.value)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_feed_reads_merge_step_is_in_its_flow_ok(name: str, arch: Architecture, document: str) -> None:
    """A feed that leaves authors past its cut-off to the read shows that merge in the read's flow: its sequence diagram and data-flow row."""
    for record in (d for d in arch.decisions if d.id.startswith("feed.") and "merged at read time" in d.choice):
        use_case = record.subject
        cutoff = re.search(r"more than ([\d,]+) followers", record.choice)
        assert cutoff, record.choice
        sequence = RENDERED[name][f"diagrams/sequence-{re.sub(r'[^a-z0-9]+', '-', use_case.lower()).strip('-')}.mmd"]
        assert f"past the cut-off (more than {cutoff.group(1)} followers" in sequence
        row = next(line for line in document.splitlines() if line.startswith(f"| {use_case} | ") and "served by" in line)
        assert "past the cut-off" in row


def _relay(arch: Architecture) -> str | None:
    return next((c.technology for c in arch.components if c.name == EVENT_RELAY), None)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_outbox_scan_index_names_the_relay_the_design_runs_ok(name: str, arch: Architecture, document: str) -> None:
    """The unpublished-events index says which relay scans it: a CDC relay (Debezium) never does, a poller does; DDL, doc and hand-off alike."""
    relay = _relay(arch)
    handoff = RENDERED[name]["handoff.json"]
    for store in arch.datastores:
        for table in (t for t in store.tables if t.role == "outbox"):
            (scan,) = [i for i in table.indexes if i.where == "published_at IS NULL"]
            (reason,) = scan.reasons
            if relay is not None and "Debezium" in relay:
                assert reason.startswith("for the scaffold's in-process relay only"), reason
                assert relay.split(" (")[0] in reason, reason
            else:
                assert not {"WAL", "change data capture", "scaffold"} & set(re.findall(r"WAL|change data capture|scaffold", reason)), reason
            assert reason in document
            assert json.dumps(reason)[1:-1] in handoff
            ddl = [text for path, text in RENDERED[name].items() if path.endswith(".sql") and f"-- {scan.name}:" in text]
            assert ddl, scan.name
            assert all(f"-- {scan.name}: {reason}" in text for text in ddl), scan.name


def test_outbox_scan_shapes_are_all_in_the_table_ok() -> None:
    """The designs above run each relay: in process, a polling relay beside a broker, and change data capture."""
    starts = {i.reasons[0].split(":")[0].split(",")[0] for _, arch, _ in DESIGNS for _, t in all_tables(arch) if t.role == "outbox" for i in t.indexes}
    assert {"the in-process relay's scan", "for the scaffold's in-process relay only"} <= starts, starts


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_idempotency_keys_kept_and_counted_where_the_write_goes_elsewhere_ok(name: str, arch: Architecture, document: str) -> None:
    """A key guarding a write a wide-column store holds is kept there (placed, counted, in its CQL), never said to join a PostgreSQL transaction."""
    for service in sorted({api.service for api in arch.apis}):
        held = held_keys(arch, service)
        placed = [p for p in arch.placements if p.data == f"{service} idempotency keys"]
        counted = [f for f in arch.figures if f.key == f"idempotency.held_keys.{snake(service)}"]
        if not held:
            assert not placed
            assert not counted
            continue
        (where,) = placed
        assert where.reason == guarded_how(arch, service)
        assert all(tech in where.store for tech in keyed_elsewhere(arch, service))
        assert f"in {service}, {guarded_how(arch, service)}" in document
        assert counted[0].value > 0
        assert counted[0].value == pytest.approx(sum(counted[0].inputs.values()))
        assert "idempotency_keys" in RENDERED[name][f"schema/{service}.cql"]
        # no PostgreSQL key row for those writes: their use cases write none of the ledger's key rows
        ids = {u.replace(" ", "-") for u in held}
        assert not [k for f in arch.figures for k in f.inputs if k.startswith("idempotency_") and any(i in k for i in ids)]


def test_idempotency_keys_of_a_wide_column_write_are_counted_ok() -> None:
    """Posts appended to a wide-column store: their keys are conditional inserts there, at the write's own peak."""
    arch = next(a for n, a, _ in DESIGNS if n == "threads")
    (counted,) = [f for f in arch.figures if f.key.startswith("idempotency.held_keys.")]
    peak = next(f.value for f in arch.figures if f.key == "qps.peak.write-post")
    assert counted.value == pytest.approx(peak)


SEARCHED = """
system: notes
constraints: {cloud: CLOUD}
entities:
  Note: {fields: {body: {type: text, avg_bytes: 2000}}, rows: 200M}
use_cases:
  - {name: add note, actor: user, writes: [Note], rate: 50/s}
  - {name: search notes, actor: user, reads: [Note], search: [Note.body], rate: 500/s}
"""


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure", "hetzner"])
@pytest.mark.parametrize("pin", ["", "decisions: {search: {choose: Elasticsearch, reason: the team runs it}}\n"])
def test_search_engine_is_one_product_everywhere_ok(cloud: str, pin: str) -> None:
    """The engine the search record runs is the one drawn, placed and provisioned on the cloud: never OpenSearch drawn, Elastic Cloud bought."""
    arch = design_spec(load_spec_bytes((SEARCHED.replace("CLOUD", cloud) + pin).encode(), "notes.yaml")).architecture
    (engine,) = [c for c in arch.components if c.kind == "search-engine"]
    family, other = ("Elasticsearch", "OpenSearch") if "Elasticsearch" in engine.technology else ("OpenSearch", "Elasticsearch")
    assert family == ("Elasticsearch" if pin else "OpenSearch")
    named = [p.store for p in arch.placements if p.component == "search-engine"]
    cloud_rows = [d.choice for d in arch.decisions if d.id == "cloud"]
    said = [*named, *(row for choice in cloud_rows for row in choice.split("; ") if row.startswith("search-engine:"))]
    assert named
    assert all(family.lower()[:7] in s.lower() for s in said), said
    assert all(other.lower()[:7] not in s.lower() for s in said), said
    search = next(d for d in arch.decisions if d.id == "search")
    assert search.choice.startswith(family)
    assert all(not a.name.startswith(family) for a in search.alternatives)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_search_engine_named_alike_in_every_design_ok(name: str, arch: Architecture, document: str) -> None:
    """Each design's search engine: the placements and the cloud record name the engine the component runs."""
    engines = [c for c in arch.components if c.kind == "search-engine"]
    if not engines:
        return
    other = "opensearch" if "Elasticsearch" in engines[0].technology else "elastic"
    rows = [r for d in arch.decisions if d.id == "cloud" for r in d.choice.split("; ") if r.startswith("search-engine:")]
    assert all(other not in s.lower() for s in [*rows, *(p.store for p in arch.placements if p.component == "search-engine")])


STATED_WATCHERS = """
system: rooms
entities:
  Room: {fields: {title: string(80)}, rows: 2M}
  Post: {fields: {room: ref(Room), body: string(500)}, growth: 30M/day}
use_cases:
  - {name: post in room, actor: member, writes: [Post], rate: 30M/day, deliver: {mode: realtime, to: Post.room, subscribers: SUBS}}
  - {name: list posts, actor: member, reads: [Post], filter: [room], rate: 300/s}
"""


@pytest.mark.parametrize(("subscribers", "recipients"), [("40M", 20.0), ("1M", 1.0)])
def test_stated_subscribers_a_figure_reads_are_used_ok(subscribers: str, recipients: float) -> None:
    """The subscribers a write's recipients are spread from are a figure's input, so the traceability table marks them used."""
    arch = design_spec(load_spec_bytes(STATED_WATCHERS.replace("SUBS", subscribers).encode(), "rooms.yaml")).architecture
    spread = next(f for f in arch.figures if f.key == "realtime.recipients.post-in-room")
    assert spread.value == pytest.approx(recipients)
    assert spread.inputs["scope_rows"] == 2e6
    (row,) = [r for r in arch.requirements if r.input.endswith("deliver.subscribers")]
    assert row.status == "used", row
    assert row.used_by[0] == "figure:realtime.recipients.post-in-room", row


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_input_a_figure_reads_is_marked_unused_ok(name: str, arch: Architecture, document: str) -> None:
    """A use case's stated subscribers read by one of its figures are never 'not used'."""
    for row in arch.requirements:
        found = re.match(r"use_cases\['(.+)'\]\.deliver\.subscribers$", row.input)
        if found and row.status == "not used":
            scope = f"use case '{found.group(1)}'"
            assert not any(f.scope == scope and "subscribers" in f.inputs for f in arch.figures), row


def _figures(arch: Architecture) -> dict[str, Any]:
    return {f.key: f for f in arch.figures}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_online_share_per_actor_ok(name: str, arch: Architecture, document: str) -> None:
    """Every delivery's online share is its recipients' one share figure (clients online over rows), and the prose says it."""
    figures = _figures(arch)
    shares = {k: f for k, f in figures.items() if k.startswith("clients.online_share.")}
    for key, share in shares.items():
        clients = figures[key.replace("online_share", "online")]
        assert share.inputs["clients"] == clients.value, key
        assert share.value == pytest.approx(min(1.0, clients.value / share.inputs["rows"])), key
    for key, delivered in figures.items():
        if not key.startswith("realtime.deliveries.") or delivered.inputs["online_share"] == 1.0:
            continue
        used = delivered.inputs["online_share"]
        assert any(s.value == used for s in shares.values()), (key, used)
        made = next(d for d in arch.decisions if d.id == key.replace("realtime.deliveries.", "realtime."))
        assert f"{used:.0%} of them connected (" in made.rationale, made.rationale


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_fan_out_is_named_by_the_figure_it_reads_ok(name: str, arch: Architecture, document: str) -> None:
    """A fan-out bottleneck reads the figure counting the write's copies (its feed's list writes, else its recipient copies;
    never the deliveries to connected clients), and one recipient a write is no fan-out."""
    figures = _figures(arch)
    for key, copies in figures.items():
        if key.startswith("fanout.peak."):
            assert copies.unit == "recipient copies/s", key
        if re.match(r"deliveries\.(avg|peak)\.", key):
            assert copies.unit == "list writes/s", key
    for bottleneck in arch.bottlenecks:
        if not bottleneck.title.startswith("Fan-out on write"):
            continue
        copies = figures[bottleneck.figure or ""]
        assert copies.inputs.get("avg_fanout", copies.inputs.get("sources_per_reader", 0)) > 1, bottleneck
        assert copies.unit in {"recipient copies/s", "list writes/s"}, copies
        assert bottleneck.trigger.startswith(f"{copies.value:,.0f} {copies.unit} at peak"), bottleneck.trigger
        assert f"| {bottleneck.title} | {bottleneck.trigger} |" in document


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_every_event_fed_lag_counts_the_relay_ok(name: str, arch: Architecture, document: str) -> None:
    """Each event-fed consumer's lag (fan-out lists, search, analytics, real-time delivery) counts the relay's one figure."""
    figures = _figures(arch)
    lags = [f for k, f in figures.items() if re.match(r"(fanout|search|analytics|realtime)\.lag_seconds\b", k)]
    copies = [f.rationale for f in arch.flows if "event-fed local copy" in f.rationale]
    if not lags and not copies:
        return
    relay = figures["events.relay_seconds"]
    for rationale in copies:
        assert f"event-fed local copy, about {relay.value:g} s behind its owner" in rationale, rationale
    for lag in lags:
        assert lag.inputs["relay_s"] == relay.value, lag.key
        assert lag.value >= relay.value, lag.key
    assert "events.relay_seconds" not in {f.key for f in arch.figures if f.value != relay.value}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_page_beside_a_stream_says_it_is_the_catch_up_ok(name: str, arch: Architecture, document: str) -> None:
    """A read its channel's recipients run (a partner's page, a room's list) says it is the catch-up and names the channel;
    the channel's offline text names that read's operation."""
    if name not in WRITTEN:
        return
    analysis = analyse(spec_of(WRITTEN[name]))
    operations = {u: op for api in arch.apis for op in api.operations for u in op.use_cases}
    for channel in arch.channels:
        for use_case in channel.use_cases:
            found = next(u for u in analysis.use_cases if u.name == use_case)
            deliver = found.spec.deliver
            if not found.is_write or deliver is None or not deliver.to or "." in deliver.to:
                continue
            pages = [u for u in analysis.of_entity(found.entity) if u.kind == "list" and u.spec.actor == deliver.to]
            for page in pages:
                assert f"channel {channel.address} " in operations[page.name].description, page.name
                assert "this operation does not stream" in operations[page.name].description
                assert f"({operations[page.name].operation_id}) from their last cursor" in channel.offline


@pytest.mark.parametrize(("name", "use_case", "fans_out"), [("tutor-notes", "write note", False), ("firehose", "write post", True)])
def test_a_one_recipient_write_is_no_fan_out_ok(name: str, use_case: str, fans_out: bool) -> None:
    """avg_fanout 1 addresses one copy a write (no fan-out risk); 40 followers a post is one."""
    arch = next(a for n, a, _ in DESIGNS if n == name)
    assert any(f.key.startswith("fanout.peak.") and f.scope == f"use case '{use_case}'" for f in arch.figures)
    assert any(b.title == f"Fan-out on write in '{use_case}'" for b in arch.bottlenecks) == fans_out


def _sent_references(arch: Architecture, op: Any) -> set[str]:
    """The columns of another service's rows a client operation's request names: path ids and body fields across services."""
    table = next((t for d in arch.datastores for t in d.tables if t.entity == op.entity), None)
    if table is None:
        return set()
    remote = {c.name for c in table.columns if c.comment and "no foreign key across services" in c.comment}
    body = next((s for api in arch.apis for s in api.schemas if s.name == op.request_schema), None)
    named = {p.name for p in body.properties} if body is not None else set()
    # an update or action addresses its existing row by the path (its lookup answers 404): only a create or a read names a reference there
    addressed = op.kind not in {"create", "list", "get"}
    paths = {f"{p.spec_ref.rpartition('.')[2]}_id" for p in op.parameters if p.location == "path" and p.spec_ref and not addressed}
    return remote & (named | paths)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_every_reference_across_services_says_how_it_is_checked_ok(name: str, arch: Architecture, document: str) -> None:
    """A request naming another service's row has one decided check, and the owner's rate, the flow, the column, the contract,
    the copy's table and design.md say the same (issue 22-x1: 'users receives 0 req/s' beside a 404 for an unknown user)."""
    checks = {(c.operation, c.column): c for c in arch.reference_checks}
    peaks = {f.key.removeprefix("qps.peak.service."): f.inputs for f in arch.figures if f.key.startswith("qps.peak.service.")}
    for api in arch.apis:
        for op in api.operations:
            if op.internal or not op.use_cases or op.kind == "delete":
                continue
            for column in _sent_references(arch, op):
                assert (op.operation_id, column) in checks, (op.operation_id, column)
    for check in arch.reference_checks:
        op = next(o for api in arch.apis for o in api.operations if o.operation_id == check.operation)
        flow = next(f for f in arch.flows if f.use_case == check.use_case)
        home = next(a.service for a in arch.apis if op in a.operations)
        assert f"| {check.use_case} | {check.table}.{check.column} |" in document
        column = next(c for d in arch.datastores for t in d.tables if t.name == check.table for c in t.columns if c.name == check.column)
        assert check.use_case in (column.comment or ""), column.comment
        if check.check == "query":
            if check.peak:  # a use case with no rate makes no load to count
                # one call per id checked (issue 22, class q3): the owner serves every check of the operation
                ids = [c.peak for c in arch.reference_checks if c.check == "query" and (c.owner, c.operation) == (check.owner, check.operation)]
                assert peaks[check.owner][f"check_{check.operation}"] == pytest.approx(sum(ids))
            assert check.owner in op.upstreams
            assert any(s.kind == "query" and s.target == check.owner for s in flow.steps)
        elif check.check == "local copy":
            copy = next(t for d in arch.datastores if d.service == home for t in d.tables if t.name == copy_table_name(check.entity))
            assert copy.rows_now > 0
            assert any(e.entity == check.entity and home in e.consumers for e in arch.events)
        elif check.check == "none":
            assert ("empty page" if op.kind in {"list", "get"} else "stored unchecked") in op.description
            unchecked = {p.name for p in op.parameters if p.location == "path" and p.spec_ref and p.spec_ref.rpartition(".")[2] == check.column[:-3]}
            if {p.name for p in op.parameters if p.location == "path"} <= unchecked:
                assert 404 not in op.error_statuses


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_instances_are_sized_on_a_system_peak_the_document_states_ok(name: str, arch: Architecture, document: str) -> None:
    """A monolith's instances carry qps.peak.total, or qps.peak.served stated beside it (the read-backs of created rows on top)."""
    known = {f.key: f for f in arch.figures}
    whole = known.get(f"instances.deployable.{arch.system}")
    if whole is None:
        return
    served = known.get("qps.peak.served", known["qps.peak.total"])
    assert whole.inputs["peak"] == pytest.approx(served.value)
    assert f"| {served.quantity} | {human(served.value, 'req/s')} |" in document


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_cloud_record_names_each_warehouse_the_design_runs_ok(name: str, arch: Architecture, document: str) -> None:
    """Each warehouse row of the cloud record is the offering of a column store a component runs (ClickHouse is never Redshift)."""
    if not [d for d in arch.decisions if d.id == "cloud"]:
        return
    from backend_architect.design.patterns._clouds import warehouse_service

    rows = [r.removeprefix("warehouse: ") for d in arch.decisions if d.id == "cloud" for r in d.choice.split("; ") if r.startswith("warehouse:")]
    spec = _spec(name)
    assert set(rows) == {warehouse_service(spec, c.technology) for c in arch.components if c.kind == "warehouse"}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_replicas_serving_reads_counted_once_ok(name: str, arch: Architecture, document: str) -> None:
    """The hand-off, the diagram and the provisioning list count the replicas serving reads from one printed figure
    (the readable standbys, and replicas beyond them where the load needs more), and the standbys from another (issue 22-v2)."""
    from backend_architect.design.loads import databases
    from backend_architect.ir.database_nodes import READ_COPIES, database_nodes
    from backend_architect.render.mermaid import node_id

    known = {f.key: f.value for f in arch.figures}
    handoff = json.loads(RENDERED[name]["handoff.json"])
    assert handoff["database"]["read_copies"] == known.get(READ_COPIES)
    if READ_COPIES in known:  # the load's replicas apart from the readable standbys (issue 22-d1)
        assert handoff["database"]["read_replicas"] == known.get("db.read_replicas", 0.0)
    assert handoff["database"]["standbys"] == known.get("db.standbys")
    if READ_COPIES in known:
        assert known[READ_COPIES] == known.get("db.read_replicas", 0.0) + known["db.standbys"]
        copies = next(f for f in arch.figures if f.key == READ_COPIES)
        assert f"| {copies.quantity} |" in document
    (task,) = [t["task"] for t in handoff["next_phase"] if t["role"] == "database-administration"]
    # each database provisioned as it is drawn: its own replicas, never the busiest primary's (the eleventh run's twitter said 2
    # read replicas in the provisioning line beside 0 in every database's diagram node)
    for db in databases(arch):
        assert database_nodes(arch, db) in task, (db, task)
    mermaid = RENDERED[name]["diagrams/architecture.mmd"]
    for db in databases(arch):
        for line in (x for x in mermaid.splitlines() if x.strip().startswith(node_id("db", db) + "[")):
            assert database_nodes(arch, db) in line, (db, line)
            added, spare = known.get(f"db.read_replicas.{db}", 0.0), known.get("db.standbys", 0.0)
            assert f"+ {spare:,.0f} readable standby(s) + {added:,.0f} read replica(s) ({added + spare:,.0f} serve" in line, (db, line)


def test_shard_maps_stated_with_the_primary_ok() -> None:
    """A sharded database's diagram label and the provisioning line state each shard map's shards, copies and read replicas
    per shard from the figure that counts its nodes, beside the unsharded primary: never the primary's replicas alone (issue 22-y2)."""
    from backend_architect.design.loads import databases
    from backend_architect.render.mermaid import node_id

    sharded = [(name, arch) for name, arch, _ in DESIGNS if any(f.key.startswith("db.nodes.") for f in arch.figures)]
    assert len(sharded) >= 3, "the table holds too few sharded designs"
    for name, arch in sharded:
        (task,) = [t["task"] for t in json.loads(RENDERED[name]["handoff.json"])["next_phase"] if t["role"] == "database-administration"]
        mermaid = RENDERED[name]["diagrams/architecture.mmd"]
        for db in databases(arch):
            tables = {t.name: t for s in arch.datastores if s.name == db for t in s.tables if t.sharding}
            for f in (f for f in arch.figures if f.key.startswith("db.nodes.") and f.scope in tables):
                sharding = tables[f.scope].sharding
                # a map the growth plan builds later is said as later: on the primary now (issue 22-c5)
                later = "on the primary now; " if sharding is not None and sharding.now is False else ""
                stated = (
                    f"{f.scope}: {later}{f.inputs['shards']:,.0f} shards x ({f.inputs['copies']:,.0f} copies + "
                    f"{f.inputs['read_replicas_per_shard']:,.0f} read replica(s) per shard) = {f.value:,.0f} nodes"
                )
                assert f.value == f.inputs["shards"] * (f.inputs["copies"] + f.inputs["read_replicas_per_shard"]), (name, f)
                assert stated in task, (name, stated, task)
                labels = [x for x in mermaid.splitlines() if x.strip().startswith(node_id("db", db) + "[")]
                assert all(stated in line for line in labels), (name, stated, labels)


def test_uncached_read_answered_where_a_mechanism_serves_it_ok() -> None:
    """A read no cache serves and a mechanism keeps off the database (a search engine's index, a GEO set) is said to be
    answered by that store in the caching table and the cache decision, never by the database (issue 22-y2)."""
    seen = 0
    for name, arch, document in DESIGNS:
        for plan in (c for c in arch.caches if c.strategy in {"none", "http"}):
            mechanism = served_by(arch, plan.use_case, "read")
            if mechanism is None:
                assert "the database serves" in plan.rationale or "spec forbids" in plan.rationale, (name, plan)
                continue
            seen += 1
            assert "the database serves" not in plan.rationale, (name, plan.rationale)
            assert f"the {mechanism.store} ({mechanism.how}) serves" in plan.rationale, (name, plan.rationale)
            assert f"| {plan.use_case} | {plan.strategy} |" in document, (name, plan.use_case)
            assert plan.rationale in document, (name, plan.use_case)
            for record in (d for d in arch.decisions if d.id.startswith("cache.") and d.subject == plan.use_case):
                assert "database" not in record.choice, (name, record.choice)
    assert seen >= 2, "no design of the table leaves uncached a read a mechanism serves"


def _page_bounds(document: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(operation, its ``limit`` maximum, its page schema's ``items`` maxItems) for every paged read of an OpenAPI document."""
    schemas = document.get("components", {}).get("schemas", {})
    found = []
    for methods in document.get("paths", {}).values():
        for op in (o for o in methods.values() if isinstance(o, dict) and "operationId" in o):
            limit = next((p for p in op.get("parameters", []) if p.get("name") == "limit" and p.get("in") == "query"), None)
            body = op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
            page = schemas.get(body.get("$ref", "").rsplit("/", 1)[-1], {})
            items = page.get("properties", {}).get("items", {})
            if limit is not None and "maxItems" in items:
                found.append((op["operationId"], limit["schema"]["maximum"], items["maxItems"]))
    return found


def test_page_bound_one_per_operation_ok() -> None:
    """A paged read's ``limit`` maximum and its page schema's ``items`` maxItems are one bound: the spec's page.max, even when
    reads of one entity allow different page sizes (issue 22-y2)."""
    bounds = [
        (name, bound)
        for name in RENDERED
        for file, text in RENDERED[name].items()
        if file.startswith("openapi/") and file.endswith(".yaml")
        for bound in _page_bounds(yaml.safe_load(text))
    ]
    assert len(bounds) >= 20, "too few paged reads in the table"
    assert [(name, b) for name, b in bounds if b[1] != b[2]] == []
    assert any(b[1] != 100 for _, b in bounds), "no paged read of the table allows a page other than the default"


def test_gateway_transport_reason_is_what_clients_send_ok() -> None:
    """The gateway record rejects server-sent events for what clients send on its connection as designed: subscriptions,
    heartbeats only where presence is kept, never writes (every write is an HTTP operation, the AsyncAPI only pushes) (issue 22-y2)."""
    seen = 0
    for name, arch, _ in DESIGNS:
        record = next((d for d in arch.decisions if d.id == "realtime.gateway"), None)
        sse = next((a for a in record.alternatives if a.name == "server-sent events"), None) if record is not None else None
        if sse is None:
            continue
        seen += 1
        asyncapi = yaml.safe_load(RENDERED[name]["asyncapi/realtime-gateway.yaml"])
        assert {op["action"] for op in asyncapi["operations"].values()} == {"send"}, name
        assert "writes)" not in sse.why_not, (name, sse.why_not)
        assert "every write is an HTTP operation" in sse.why_not, (name, sse.why_not)
        assert f"subscriptions to {len(arch.channels)} channel(s)" in sse.why_not, (name, sse.why_not)
        presence = any(e.presence is not None for e in _spec(name).entities.values())
        assert ("heartbeats" in sse.why_not) == presence, (name, sse.why_not)
    assert seen >= 3, "too few WebSocket gateways in the table"


def test_partitioning_stage_built_when_the_ddl_partitions_ok() -> None:
    """A table the DDL partitions today makes the growth plan's partitioning stage one built now, in the stage list and the
    Growth table, never a later stage beside a PARTITION BY (issue 22-y2)."""
    seen = 0
    for name, arch, document in DESIGNS:
        parted = [t.name for s in arch.datastores for t in s.tables if t.partitioning is not None and t.wide_column is None]
        stage = next((s for s in arch.stages if s.name == "partitioning"), None)
        if not parted:
            assert stage is None, name
            continue
        seen += 1
        assert stage is not None, (name, parted)
        assert stage.now, (name, parted)
        assert f"| {stage.order} | partitioning | now |" in document, name
        ddl = "".join(text for file, text in RENDERED[name].items() if file.endswith(".postgresql.sql"))
        assert "PARTITION BY" in ddl, name
    assert seen >= 5, "too few partitioned designs in the table"


SLUG_BROWSED = """
system: qa
entities:
  Tag: {fields: {name: string(60)}, key: slug, rows: 60k}
  Question: {fields: {title: string(200), tag: ref(Tag)}, growth: 8k/day}
use_cases:
  - {name: ask question, actor: user, writes: [Question], rate: 8k/day}
  - {name: browse questions by tag, actor: visitor, auth: none, reads: [Question], filter: [tag], rate: 300/s}
"""

SLUG_READ = """
system: wiki
entities:
  Article: {fields: {title: string(200), body: text}, key: slug, growth: 2k/day}
use_cases:
  - {name: write article, actor: editor, writes: [Article], rate: 2k/day}
  - {name: read article, actor: visitor, auth: none, kind: get, reads: [Article], rate: 900/s}
"""

CODE_READ = """
system: links
entities:
  Link: {fields: {target: url}, key: short_code, growth: 1M/day}
use_cases:
  - {name: shorten, actor: user, writes: [Link], rate: 1M/day}
  - {name: open link, actor: visitor, auth: none, kind: get, reads: [Link], rate: 5k/s}
"""


@pytest.mark.parametrize(
    ("text", "looked_up"),
    [
        pytest.param(SLUG_BROWSED, False, id="slug-browsed-by-id"),
        pytest.param(
            SLUG_BROWSED.replace("  - {name: ask", "  - {name: create tag, actor: moderator, writes: [Tag], rate: 100/day}\n  - {name: ask"),
            True,
            id="slug-created",
        ),
        pytest.param(SLUG_READ, True, id="slug-read"),
        pytest.param(CODE_READ, True, id="code-read"),
    ],
)
def test_short_key_lookups_are_the_contracts_ok(text: str, looked_up: bool) -> None:
    """A short key's record says requests look rows up by it only where an operation addresses rows by it, and says none does
    where every request names the row by its id (issue 22-y2)."""
    arch = design_spec(load_spec_bytes(text.encode(), "k.yaml")).architecture
    (record,) = [d for d in arch.decisions if d.id.startswith("short-keys.")]
    entity = record.id.removeprefix("short-keys.")
    column = "slug" if "slug" in record.consequences.split(";")[0] else "code"
    by_key = [op.operation_id for api in arch.apis for op in api.operations if "{" + column + "}" in op.path]
    assert bool(by_key) == looked_up, by_key
    if by_key:
        assert "look rows up by it" in record.consequences, record.consequences
        assert "no operation addresses" not in record.consequences, record.consequences
    else:
        assert "look rows up by it" not in record.consequences, record.consequences
        assert f"requests name one by {entity}_id" in record.consequences, record.consequences


CHAT_FILES = """
system: talk
entities:
  Chat: {fields: {title: string(80)}, rows: 50M}
  Message: {fields: {chat: ref(Chat), body: string(2000), sent_at: datetime}, growth: 40B/day}
  Attachment: {part_of: Message, fields: {url: url}, growth: 2B/day}
use_cases:
  - {name: send message, actor: user, writes: [Message], rate: 40B/day}
  - {name: chat page, actor: user, kind: list, reads: [Message, Attachment], filter: Message.chat, sort: -Message.sent_at, rate: 400k/s}
  - {name: message files, actor: user, kind: list, reads: Attachment, filter: Attachment.message, rate: 20k/s}
"""


@pytest.mark.parametrize("text", [CHAT_FILES, SOCIAL, FORUM], ids=["chat-files", "social", "forum"])
def test_wide_column_reasons_are_the_design_as_built_ok(text: str) -> None:
    """The wide-column store's reasons for leaving a table in PostgreSQL are true of the design as built: a read 'joins' a table
    only where its operation answers with or filters through the other entities, and a reference is never called a foreign
    key the DDL may not declare (issue 22-y2)."""
    from backend_architect.design.patterns._wide_column_plan import read_entities

    arch = design_spec(load_spec_bytes(text.encode(), "w.yaml")).architecture
    analysis = analyse(spec_of(text))
    notes = [n.reason for n in arch.pattern_notes if n.pattern == "PAT055"]
    assert notes, "no table of the spec was weighed for a wide-column store"
    uses = {u.name: u for u in analysis.use_cases}
    for note in notes:
        assert "by foreign key" not in note, note
        for name, entity, others in re.findall(r"'([^']+)' joins (\w+) with ([\w, ]+?)(?:;|$| \(PAT)", note):
            taken = read_entities(arch, uses[name])
            assert {entity, *others.split(", ")} <= taken, (note, taken)
    if text is CHAT_FILES:
        assert not any("'chat page' joins" in n for n in notes), notes  # it answers a page of Message rows only


def test_a_standby_is_not_a_load_replica_err() -> None:
    """A design whose standby serves reads while its load needs no replica states 1 readable standby and 0 read replicas, and a
    hand-off count of the replicas serving reads that is the standby, printed as its own figure: never a bare 1 beside a 0."""
    from backend_architect.ir.database_nodes import READ_COPIES, database_nodes

    quiet = [
        (name, arch, document)
        for name, arch, document in DESIGNS
        if {f.key: f.value for f in arch.figures}.get("db.read_replicas") == 0 and any(f.key == "db.standbys" and f.value > 0 for f in arch.figures)
    ]
    assert quiet, "no design of the table keeps a standby with no read replica for load"
    for name, arch, document in quiet:
        spare = next(f.value for f in arch.figures if f.key == "db.standbys")
        assert json.loads(RENDERED[name]["handoff.json"])["database"]["read_copies"] == spare, name
        assert json.loads(RENDERED[name]["handoff.json"])["database"]["read_replicas"] == 0, name
        assert f"+ {spare:,.0f} readable standby(s) + 0 read replica(s) ({spare:,.0f} serve" in database_nodes(arch), name
        copies = next(f for f in arch.figures if f.key == READ_COPIES)
        assert f"| {copies.quantity} | {spare:,.0f} copies |" in document, name


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_bottleneck_steps_name_what_comes_after_what_is_built_ok(name: str, arch: Architecture, document: str) -> None:
    """A bottleneck's scaling step never offers as next a part the design runs now (the pooler, caches, read replicas, shards):
    it says the part runs and names what comes after it, as the hand-off's pooling says it is deployed (issue 22-v2)."""
    from backend_architect.ir.database_nodes import POOLER

    handoff = json.loads(RENDERED[name]["handoff.json"])
    assert POOLER in handoff["database"]["pooling"]
    assert "deployed with it" in handoff["database"]["pooling"]
    cached = any(c.strategy != "none" for c in arch.caches)
    replicas = next((f.value for f in arch.figures if f.key == "db.read_copies"), 0.0)
    sharded = any(t.sharding is not None for s in arch.datastores for t in s.tables)
    for bottleneck in arch.bottlenecks:
        step = bottleneck.scaling_step
        assert "PgBouncer" not in step or f"{POOLER} runs in front of the primary now" in step, step
        if cached:
            assert not step.startswith("cache hot paths"), step
        if replicas and "read replica" in step:
            spare = next((f.value for f in arch.figures if f.key == "db.standbys"), 0.0)
            assert f"serves {REPLICA_READS} from {copies_said(spare, replicas - spare)} now" in step or "more read replicas" in step, step
        if sharded and "shard" in step and bottleneck.scope in {"database", "system"}:
            assert "now" in step, step
        assert f"| {step} |" in document


#: Migration tools other than the one the design's migrations are written for (dbmate format).
_OTHER_MIGRATORS = re.compile(r"\b(Alembic|Flyway|Liquibase|node-pg-migrate|sqlx migrations|EF Core migrations)\b")


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_tool_per_part_ok(name: str, arch: Architecture, document: str) -> None:
    """One migration tool (the migrations are dbmate's format, whatever the runtime) and one Redis failover per layout:
    a cluster promotes its own replicas, Sentinel watches one primary (tenth trial run: Alembic chosen beside dbmate
    migrations; Redis 'cluster mode' failed over by Sentinel)."""
    said = [t for d in arch.decisions for t in (d.choice, d.rationale, *(a.name for a in d.alternatives), *(a.why_not for a in d.alternatives))]
    assert not [t for t in said if _OTHER_MIGRATORS.search(t)]
    cache = next((d for d in arch.decisions if d.id == "cache" and d.choice.startswith("Redis 7")), None)
    if cache is None:
        return
    shards = re.search(r"\((\d[\d,]*) shard\(s\) x", cache.context)
    assert shards is not None, cache.context
    clustered = int(shards.group(1).replace(",", "")) > 1
    assert ("cluster mode" in cache.choice) == clustered, cache.choice
    assert ("Sentinel" in cache.rationale) != clustered, cache.rationale


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_services_stated_load_leaves_out_the_calls_made_to_it_ok(name: str, arch: Architecture, document: str) -> None:
    """Every synchronous call a flow makes on another service (a fresh read, a check, a saga step) is in the callee's request
    rate once, each call of a request (one, or a get for each row a page names: ``FlowStep.calls``), which its instances and
    design.md state; a read also in its database's reads (issue 22-z1: 'each calling users' beside users at 0 req/s)."""
    from backend_architect.design.service_calls import CALL_KINDS, calls_made, operation_of

    figures = {f.key: f for f in arch.figures}
    services = {s.name for s in arch.services}
    by_name = {u.name: u for u in _analysis(name).use_cases}
    db_reads = {k: v for f in arch.figures if f.key.startswith("db.reads.peak.") for k, v in f.inputs.items()}
    for flow in arch.flows:
        use_case = by_name.get(flow.use_case)
        if use_case is None or use_case.spec.rate is None or not flow.steps:
            continue
        home = flow.steps[0].target
        operation = operation_of(arch, flow.use_case, use_case.id)
        for step in (s for s in flow.steps if s.kind in CALL_KINDS and s.source == home and s.target in services - {home}):
            callee = figures[f"qps.peak.service.{step.target}"]
            counted = [k for k in (f"check_{operation}", f"call_{operation}") if k in callee.inputs]
            assert len(counted) == 1, (flow.use_case, step.target, callee.inputs)
            per_request = calls_made(flow, step.target) if counted[0].startswith("call_") else 1
            expected = use_case.peak_qps * per_request
            if counted[0].startswith("check_"):
                # a check is one call per id it checks, at its own rate; a membership probe one call a request (issue 22, class q3)
                ids = [c.peak for c in arch.reference_checks if c.check == "query" and (c.owner, c.operation) == (step.target, operation) and c.peak]
                probes = [c.peak for c in arch.membership_checks if c.check == "query" and (c.service, c.operation) == (step.target, operation) and c.peak]
                expected = max([sum(ids), *probes]) if ids or probes else expected
            assert callee.inputs[counted[0]] == pytest.approx(expected), (flow.use_case, step.target)
            if arch.deployment == "modular-monolith":
                # a module has no instances of its own: the one deployable is sized on every module's share, the callee's among them
                shares = sum(figures[f"qps.peak.service.{s}"].value for s in services)
                assert figures[f"instances.deployable.{arch.system}"].inputs["peak"] == pytest.approx(shares)
                assert f"instances.{step.target}" not in figures
            else:
                assert figures[f"instances.{step.target}"].inputs["peak"] == pytest.approx(callee.value)
            assert f"| {callee.quantity} | {human(callee.value, 'req/s')} |" in document, callee.quantity
            if step.kind == "query":
                assert any(k.startswith((f"check_{operation}_", f"call_{operation}_")) for k in db_reads), (flow.use_case, step.target)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_redis_shards_carry_the_operations_the_design_sends_ok(name: str, arch: Architecture, document: str) -> None:
    """Redis shards carry the operations the design sends: one count, from the sum of every mechanism's operations, in every record."""
    found = {f.key: f for f in arch.figures if f.key in {"redis.ops.peak", "redis.shards"}}
    if not any(c.name == "redis" for c in arch.components):
        assert not found, name
        return
    ops, shards = found["redis.ops.peak"], found["redis.shards"]
    assert ops.value == pytest.approx(sum(ops.inputs.values())), name
    assert shards.value * 100_000 >= ops.value, (name, ops.value, shards.value)
    count = int(shards.value)
    assert "Redis holds: " in document, name
    assert f"({count} shard(s) x " in document, name
    assert f"redis: {count} shard(s) x " in document, name


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_shard_maps_are_drawn_when_the_growth_plan_builds_them_ok(name: str, arch: Architecture, document: str) -> None:
    """A database node draws today's deployment: a shard map built now as deployed, one the growth plan builds later as later
    (issue 22-c5); the timing is the growth plan's one statement (``Sharding.now`` beside ``when``)."""
    drawn = " ".join(line for line in RENDERED[name]["diagrams/architecture.mmd"].splitlines() if line.strip().startswith("db_"))
    nodes = {f.scope for f in arch.figures if f.key.startswith("db.nodes.")}
    for _, table in all_tables(arch):
        if table.sharding is None:
            continue
        assert table.sharding.now == ("; built now (stage" in table.sharding.when), (name, table.name, table.sharding.when)
        # a map built now for another of its tables runs now: said so in the table's timing and in the drawing (issue 22-h1)
        waiting = table.sharding.now is False and bool(table.sharding.on_map_now)
        assert waiting == ("its shard map is built now" in table.sharding.when), (name, table.name, table.sharding.when)
        if table.name in nodes:
            assert (f"{table.name}: on the primary now; " in drawn) == (table.sharding.now is False and not waiting), (name, table.name)
            if waiting:
                assert f"{table.name}'s shard map: " in drawn, (name, table.name)
                assert "built now holding" in drawn, (name, table.name)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_redis_users_and_pub_sub_paths_are_drawn_ok(name: str, arch: Architecture, document: str) -> None:
    """Every part using a component is drawn linked to it, and an event a pub/sub carries to its consumer (the gateway's Redis)
    is drawn through it, never from the relay straight to the consumer (issue 22-c5)."""
    lines = {line.strip() for line in RENDERED[name]["diagrams/architecture.mmd"].splitlines()}
    parts = {c.name: c for c in arch.components}
    for component in arch.components:
        for part in component.parts:
            assert part in parts, (name, component.name, part)
            assert f"{node_id('cmp', part)} --- {node_id('cmp', component.name)}" in lines, (name, part, component.name)
        if component.pubsub is None:
            continue
        consumed = [e for e in arch.events if component.name in e.consumers]
        pushed = [s for f in arch.flows for s in f.steps if s.kind == "event" and s.target == component.name]
        if consumed or pushed:
            assert f"{node_id('cmp', component.pubsub)} -.->|pub/sub| {node_id('cmp', component.name)}" in lines, (name, component.name)
        direct = [line for line in lines if line.endswith(f"-.-> {node_id('cmp', component.name)}")]
        assert not direct, (name, direct)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_lookup_table_serves_the_requests_addressing_one_row_ok(name: str, arch: Architecture, document: str) -> None:
    """A wide-column table's by-id lookup lists exactly the operations addressing one row by id, the same in the decision and the
    CQL; the insert and the pages by partition key are never among them (issue 22-c5)."""
    for store, table in all_tables(arch):
        layout = table.wide_column
        if layout is None:
            continue
        assert layout.lookup_for == addressed_by_id(arch, table), (name, table.name)
        assert bool(layout.lookup_table) == bool(layout.lookup_for), (name, table.name)
        record = next(d for d in arch.decisions if d.id == "wide-column")
        if layout.lookup_table:
            assert f"{layout.lookup_table} maps an id to its partition for {', '.join(layout.lookup_for)} (" in record.choice
            assert f"({', '.join(layout.lookup_for)}); written with it" in RENDERED[name][f"schema/{store.service}.cql"]


def _in_database_reads(arch: Architecture, entity_or_table: str, key: str) -> float | None:
    """The input ``key`` of the peak reads of the database holding ``entity_or_table`` (None: not an input there)."""
    held = databases(arch)
    # a modular monolith's modules are schemas of one database
    tables = {t.name: s.name.split(".")[0] if arch.deployment == "modular-monolith" else s.name for s in arch.datastores for t in s.tables}
    db = next((d for d, entities in held.items() if entity_or_table in entities), tables.get(entity_or_table, ""))
    reads = next((f.inputs for f in arch.figures if f.key == f"db.reads.peak.{db}"), {})
    return reads.get(key)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_requests_steps_are_in_its_latency_and_its_stores_load_ok(name: str, arch: Architecture, document: str) -> None:
    """A request's steps are in its latency and its store's load: every check, merge, page fill and idempotency record of a
    request is a part of its flow's latency (or of the hop carrying it) and, where it reads a database, an input of that
    database's peak reads at the step's rate."""
    ms = per_operation(_spec(name))
    for step in request_steps(_analysis(name), arch):
        flow = next(f for f in arch.flows if f.use_case == step.use_case)
        parts = {p.part: p.ms for p in flow.latency_parts}
        if step.in_hop:
            assert any(p.startswith("synchronous hop") for p in parts), (name, step.use_case, parts)
        else:
            said = step.part if step.share >= 1 else f"{step.part}, for {step.share:.1%} of requests"
            assert parts.get(said) == pytest.approx(ms[step.op] * step.share * scatter_factor(step.shards)), (name, said, parts)
        load = step.load
        if load is not None and load.reads_per_s:
            # reads a get's cache also serves reach the database on its misses: the share the latency weighs the step by
            expected = load.reads_per_s * (step.share if load.cached_by else 1.0)
            assert _in_database_reads(arch, load.entity, load.key) == pytest.approx(expected), (name, load.key)


def test_the_request_steps_table_holds_every_kind_of_step_ok() -> None:
    """The table above proves something: its designs hold a local-copy check, an owner query, a change's row read, a read-time merge,
    a page fill and a keyed wide-column write."""
    kinds = set()
    for name, arch, _ in DESIGNS:
        for step in request_steps(_analysis(name), arch):
            kinds.add(step.op if step.load is None else step.load.key.split("_")[0])
    assert {"copy", "check", "read", "merge", "hydrate", "lwt"} <= kinds, kinds


#: A consistency a section claims: it holds under active-active asynchronous replication only in the row's home region.
CONSISTENCY_CLAIM = re.compile(r"strong consistency|read-your-writes|must be current")


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_strong_claim_under_async_active_active_without_a_home_region_ok(name: str, arch: Architecture, document: str) -> None:
    """Under active-active regions replicating asynchronously, the multi-region decision states the home-region rule and every
    consistency claim (design.md, the ADRs) says it holds in the row's home region; elsewhere no claim mentions a home region."""
    regions = next((d for d in arch.decisions if d.id.startswith("multi-region")), None)
    active = regions is not None and regions.title.startswith("Disaster recovery: active-active")
    texts = {"design.md": document} | {path: text for path, text in RENDERED[name].items() if path.startswith("adr/")}
    for path, text in texts.items():
        for line in text.splitlines():
            if CONSISTENCY_CLAIM.search(line):
                assert ("home region" in line) == active, f"{path}: {line[:300]}"
    if active:
        assert regions is not None
        assert "home-region rule" in regions.choice


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_every_id_a_client_sends_is_one_a_response_gives_ok(name: str, arch: Architecture, document: str) -> None:
    """Every id a client sends in a filter or a body is one a response gives out, and every id it sends is keyed as exposed."""
    from backend_architect.ir.id_inputs import inputs, unlearnable

    assert [i.said for i in unlearnable(arch) if not i.where.startswith("path ")] == [], name
    keys = {t.entity: t for _, t in all_tables(arch) if t.entity}
    for sent in inputs(arch):
        key = keys[sent.entity]
        assert key.key_strategy == "uuidv7" or "the spec asks" in key.key_reason, (name, sent.said, key.key_reason)
        assert "never leave" not in key.key_reason, (name, sent.said)
    if inputs(arch):
        assert "### Ids a client sends" in document, name


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_an_events_payload_is_the_same_everywhere_and_carries_what_its_consumers_read_ok(name: str, arch: Architecture, document: str) -> None:
    """An event's payload is the same in every document and carries what its consumers read.

    Every AsyncAPI document naming a message defines one schema for it; the gateway forwards a domain event
    with the columns its channel's clients render; its egress is sized from that payload; the events table
    and the hand-off state the same fields and bytes.
    """
    for message, defined in message_payloads(RENDERED[name]).items():
        assert all(same_payload(schema, defined[0][1]) for _, schema in defined), (name, message, [p for p, _ in defined])
    events = {e.name: e for e in arch.events}
    egress = next((f for f in arch.figures if f.key == "realtime.egress_bytes"), None)
    for channel in arch.channels:
        carried = [events[e] for e in channel.events if e in events]
        for event in carried:
            fields = payload_fields(event, event_table(arch, event.entity))
            rendered = {event.key if c == "id" and "id" not in fields else c for c in channel.fields}
            assert rendered <= set(fields), (name, event.name, sorted(rendered - set(fields)))
        if carried and egress is not None:
            # the message as the channel pushes it: personal fields its recipients may not see left out
            largest = max(event_payload_bytes(arch, pushed_event(e, channel.withheld)) for e in carried)
            assert egress.inputs[f"payload_bytes_{channel.name}"] == largest, (name, channel.name)
            assert egress.inputs["framing_bytes"] == MESSAGE_OVERHEAD_BYTES, (name, channel.name)
    for event in arch.events:
        fields = payload_fields(event, event_table(arch, event.entity))
        row = f"| {event.name} | {event.producer} | {', '.join(consumer_labels(arch, event)) or '-'} | {event.key} | {event.use_case} | "
        assert f"{row}{', '.join(fields)} | {event_payload_bytes(arch, event)} |" in document, (name, event.name)
    handed = {p["event"]: p for i in json.loads(RENDERED[name]["handoff.json"])["integration"] for p in i["publishes"]}
    for event in arch.events:
        assert handed[event.name]["payload"] == payload_fields(event, event_table(arch, event.entity)), (name, event.name)
        assert handed[event.name]["payload_bytes"] == event_payload_bytes(arch, event), (name, event.name)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_scope_with_members_is_read_by_members_only_ok(name: str, arch: Architecture, document: str) -> None:
    """A signed-in caller's operation naming a scope with members (in its path or a filter) is members only, unless its use case
    says access: public; and every members-only operation declares its refusal, says so, and is in design.md's table and the
    security checklist (issue 22-c3: a chat's messages readable by anyone)."""
    from backend_architect.design.membership import membership_of, nearest_membership

    spec = _spec(name)
    analysis = analyse(spec)
    by_name = {u.name: u for u in analysis.use_cases}
    checked = {c.operation: c for c in arch.membership_checks}
    for api in arch.apis:
        for op in api.operations:
            use_case = by_name.get(op.use_cases[0]) if op.use_cases else None
            if op.internal or op.entity is None or use_case is None or op.flow is not None or op.auth == "none":
                continue
            if use_case.spec.access == "public" or use_case.caller is None:
                continue
            relations = {p.name.removesuffix("_id") for p in op.parameters if p.location in {"path", "query"} and p.name.endswith("_id")}
            # the scope's own row addressed by its id is its members' too (issue 22-d4: a chat's title read by anyone)
            own = op.kind in {"get", "update", "replace", "action", "delete"} and any(p.location == "path" for p in op.parameters)
            scope_of = membership_of(spec, op.entity, use_case.caller)
            if own and op.use_cases and scope_of is not None:
                assert op.operation_id in checked, (name, op.operation_id, op.entity)
            for field in sorted(relations):
                target = spec.entities[op.entity].fields.get(field)
                scope = target.type.target if target is not None and target.type.kind == "ref" else spec.entities[op.entity].part_of
                if scope is None or snake(scope) != field:
                    continue
                # a part of a scope (a channel of a server) is its nearest ancestor's with members (issue 22-d4)
                nearest = nearest_membership(spec, scope, use_case.caller)
                if nearest is None or (nearest[1].entity == op.entity and op.kind not in {"list", "get"}):
                    continue
                assert op.operation_id in checked, (name, op.operation_id, scope)
    for check in arch.membership_checks:
        op = next(o for api in arch.apis for o in api.operations if o.operation_id == check.operation)
        assert (op.members_of, check.status in op.error_statuses) == (check.scope, True), (name, op.operation_id)
        assert "Only members of the" in op.description, (name, op.description)
        assert "empty page" not in op.description, (name, op.description)
        assert f"| {check.use_case or check.operation} | {check.scope} (" in document, (name, check.operation)
        assert arch.security is not None
        assert any(f"Members only: {check.use_case or check.operation} " in i for i in arch.security.review_items)
        if check.check == "local copy":  # the copy it probes is a table of the checking service's database (issue 22-d4)
            assert any(check.table in {t.name for t in s.tables} for s in arch.datastores), check
            assert check.service not in op.upstreams, (name, op.operation_id)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_path_per_event_to_the_gateway_ok(name: str, arch: Architecture, document: str) -> None:
    """Each event reaching a pub/sub-fed consumer (the real-time gateway) takes one path, ir.query.delivery_hops: the
    architecture diagram draws each hop of it and no shortcut (the relay to the gateway, or to Redis beside a broker), and the
    producer's AsyncAPI channel, the gateway's AsyncAPI document and the components table state that same path."""
    files = RENDERED[name]
    lines = {line.strip() for line in files["diagrams/architecture.mmd"].splitlines()}
    fed = [(e, c) for e in arch.events for c in e.consumers if any(p.name == c and p.pubsub for p in arch.components)]
    if not fed:
        pytest.skip("no event reaches a pub/sub-fed consumer")
    node = {c.name: "cmp_" + re.sub(r"\W", "_", c.name) for c in arch.components}
    for event, consumer in fed:
        hops = delivery_hops(arch, event, consumer)
        drawn = [node[h] for h in hops]
        for source, target in itertools.pairwise(drawn):
            assert any(line.startswith(f"{source} -.->") and line.endswith(f" {target}") for line in lines), f"{event.name}: {source} -> {target}"
        assert not any(re.fullmatch(rf"(outbox|cdc_\w+) -\.->(\|\w+\|)? {node[consumer]}", line) for line in lines), "a relay drawn to the gateway"
        if event_broker(arch, event) is not None:
            assert not any(re.fullmatch(rf"(outbox|cdc_\w+) -\.->\|publish\| {node[hops[-2]]}", line) for line in lines), "the relay beside its broker"
        # the path alone: each document then says which payload property addresses the channels (ir.query.routing_note)
        note = delivery_note(arch, event, consumer, routed=False)
        assert note, f"{event.name}: a pub/sub-fed consumer's path is stated"
        producer = files.get(f"asyncapi/{event.producer}.yaml", "")
        assert note[1:] in " ".join(producer.split()), f"{event.name}: the producer's channel states the path"
        gateway = files.get(f"asyncapi/{consumer}.yaml", "")
        assert note in " ".join(gateway.split()), f"{event.name}: {consumer}'s document states the path"
        row = next(line for line in document.splitlines() if line.startswith(f"| {consumer} | "))
        assert note in row, "the components table states the path"


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_generated_design_has_a_call_cycle_ok(name: str, arch: Architecture, document: str) -> None:
    """The engine never builds a synchronous call cycle its critic flags (TOP002): reads that would call back take a copy."""
    assert "| TOP002 |" not in document
    calls = {s.name: set(s.depends_on) for s in arch.services}
    assert not any(a in calls.get(b, set()) for a, callees in calls.items() for b in callees), "two services call each other"


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_no_alternative_rejected_is_built_ok(name: str, arch: Architecture, document: str) -> None:
    """No record about a table rejects sharding or partitioning that table while the design shards or partitions it."""
    for _, table in all_tables(arch):
        built = [word for word, has in (("shard", table.sharding), ("partition", table.partitioning)) if has is not None]
        for record in (d for d in arch.decisions if d.subject == table.name):
            rejected = [a.name for a in record.alternatives if any(a.name.lower().startswith(word) for word in built)]
            assert not rejected, f"{name}: {record.id} rejects {rejected} while {table.name} is built so"
    # a record about a database with sharded tables weighs sharding the rest, never "shard" as if nothing were
    sharded_dbs = {store.name.split(".")[0] for store, table in all_tables(arch) if table.sharding is not None}
    for record in (d for d in arch.decisions if d.subject in sharded_dbs):
        assert not [a.name for a in record.alternatives if a.name.lower() in {"shard", "sharding"}], f"{name}: {record.id}"


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_stage_built_now_has_every_part_now_or_says_which_later_ok(name: str, arch: Architecture, document: str) -> None:
    """A table sharded later is never said to be built now: its stage names it as later, in the growth table and the decision."""
    later = {t.name for _, t in all_tables(arch) if t.sharding is not None and not t.sharding.now}
    stage = next((s for s in arch.stages if s.name == "sharding"), None)
    if stage is None or not stage.now:
        return
    assert set(stage.later) == later, name
    growth = next(d for d in arch.decisions if d.id == "growth")
    built_now = growth.choice.split("; later: ", 1)[0]
    built_now = built_now[built_now.find("5. sharding") :].split("; 6. ", 1)[0]
    for table in later:
        assert f"{table}: " not in built_now, f"{name}: {table} is sharded later, yet the decision builds it now"
        assert f"| 5 | sharding | now, except {', '.join(stage.later)}: later |" in document, name


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_operation_serving_a_use_case_carries_its_name_ok(name: str, arch: Architecture, document: str) -> None:
    """An operation whose id is made from a use case's name serves that use case (a read whose use case moved to playback does not keep it)."""
    operations = [o for a in arch.apis for o in a.operations]
    use_cases = {u for o in operations for u in o.use_cases}
    for op in operations:
        named = [u for u in use_cases if re.sub(r"[^a-z0-9]", "", u.lower()) == op.operation_id.lower()]
        assert all(u in op.use_cases for u in named), f"{name}: {op.operation_id} ({op.method} {op.path}) does not serve {named}"


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_the_key_record_names_every_table_it_covers_ok(name: str, arch: Architecture, document: str) -> None:
    """The primary-key record names each table's key, the tables later stages add included: its scope is what it describes."""
    record = next((d for d in arch.decisions if d.id == "keys"), None)
    if record is None:
        return
    named = set(re.findall(r"[A-Za-z0-9_]+", record.choice))
    missing = [t.name for _, t in all_tables(arch) if t.name not in named]
    assert not missing, f"{name}: the key record leaves out {missing}"


#: What each per-table write-rate figure counts, said in its name (issue 22-d1).
_WRITE_RATES = {
    "qps.peak.write.table.": ("every kind",),
    "qps.peak.insert.table.": ("new ", "outbox"),
    "qps.peak.guarantee.table.": ("outbox",),
    "wide_column.postgres_inserts.": ("new rows and the outbox",),
    "wide_column.writes.": ("lightweight transaction",),
}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_stated_write_rate_names_what_it_counts_ok(name: str, arch: Architecture, document: str) -> None:
    """A stated write rate names what it counts (issue 22-d1): per table, its writes of every kind, its new rows, the guarantee
    rows beside them and the writes a wide-column store applies are figures with names of their own; every rate the text states
    with its terms ('N rows/s inserted at peak (A new rows + B outbox and idempotency rows') is such a figure's, its terms adding
    up; no bare 'inserts/s' stands against the ceiling; a store's nodes are sized from its writes figure."""
    known = {f.key: f for f in arch.figures}
    by_table: dict[str, dict[str, Figure]] = {}
    for f in arch.figures:
        for prefix, words in _WRITE_RATES.items():
            if f.key.startswith(prefix):
                assert any(w in f.quantity for w in words), (f.key, f.quantity)
                by_table.setdefault(f.key.removeprefix(prefix), {})[prefix] = f
    for table, rates in by_table.items():
        quantities = [f.quantity for f in rates.values()]
        assert len(set(quantities)) == len(quantities), (table, quantities)
        insert, guarantee = rates.get("qps.peak.insert.table."), rates.get("qps.peak.guarantee.table.")
        if insert is not None and guarantee is not None:
            assert insert.inputs["guarantee_rows"] == pytest.approx(guarantee.value), table
        if "wide_column.writes." in rates:
            assert known[f"wide_column.nodes.{table}"].inputs["writes_per_s"] == rates["wide_column.writes."].value, table
    stated = {f.value for f in arch.figures if f.key.startswith(("qps.peak.insert.table.", "wide_column.postgres_inserts."))}
    for total, new, beside in re.findall(r"([\d,.]+) rows/s inserted at peak \(([\d,.]+) new rows \+ ([\d,.]+) outbox and idempotency rows", document):
        whole, rows, terms = (float(v.replace(",", "")) for v in (total, new, beside))
        assert abs(whole - rows - terms) <= 1, (total, new, beside)
        assert any(abs(whole - v) <= max(1.0, v * 0.01) for v in stated), (name, total)
    assert not re.search(r"\d inserts/s (/|<|at peak >)", document), name


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_readable_standbys_named_wherever_replicas_are_counted_ok(name: str, arch: Architecture, document: str) -> None:
    """Standbys that serve reads are named as readable standbys wherever read copies are counted (issue 22-d1): the bottleneck
    table's step states the standbys and the read replicas apart, each its figure's value, never 'N replica(s)' with the
    standbys folded in, so it agrees with a growth plan that postpones read replicas."""
    known = {f.key: f.value for f in arch.figures}
    assert "replica(s) now (the readable standbys included)" not in document
    spare, copies = known.get("db.standbys", 0.0), known.get("db.read_copies", 0.0)
    for said in re.findall(r"serves reads that tolerate lag from ([^:|]+?) now", document):
        assert said == copies_said(spare, copies - spare), (name, said)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_catch_up_reads_are_limited_above_what_their_stream_produces_ok(name: str, arch: Architecture, document: str) -> None:
    """A list read that catches up on a channel is limited, in the security table, to at least what paging through the
    stream faster than it produces takes (``rate_limit.catch_up.<read>``); the Redis sum names every term it adds."""
    needs = {f.scope: f.value for f in arch.figures if f.key.startswith("rate_limit.catch_up.")}
    limits = arch.security.rate_limits if arch.security else []
    for channel in arch.channels:
        for read in channel.catch_up:
            need = needs.get(f"use case '{read}'")
            if need is None:
                continue
            limit = next(r for r in limits if read in r.use_cases)
            assert limit.limit_per_minute >= need, (read, limit.limit_per_minute, need)
            assert f"| {limit.actor} | read | {limit.limit_per_minute} |" in document
    ops = next((f for f in arch.figures if f.key == "redis.ops.peak"), None)
    if ops is not None:
        assert all(term in ops.formula and value >= 0 for term, value in ops.inputs.items()), ops.inputs


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_threshold_for_synchronous_calls_ok(name: str, arch: Architecture, document: str) -> None:
    """Synchronous calls/s between services meet one threshold (issue 22-e7): the reference checks' decision and the bottleneck
    table state the same number, and a check the decision keeps calling below it is never past it in the table."""
    from backend_architect.design.reference_checks import LOCAL_COPY_FROM

    limit = f"{LOCAL_COPY_FROM:,.0f}"
    for said in re.findall(r"each calling [^:|]+: \d+% of the threshold, ([\d,]+) calls/s", document):
        assert said == limit, (name, said)
    assert not re.search(r"each calling [^|]+\(threshold [\d,]+/s\)", document), name
    for said in re.findall(r"checks/s at peak(?: \([^)]*\))? (?:<=|>) ([\d,]+)", document):
        assert said == limit, (name, said)
    below = {c.use_case for c in arch.reference_checks if c.check == "query" and c.peak <= LOCAL_COPY_FROM}
    for listed in arch.bottlenecks:
        if listed.title.startswith("Synchronous calls on the hot path") and listed.scope in below:
            share = re.search(r": (\d+)% of the threshold", listed.trigger)
            assert share, (name, listed.trigger)
            assert int(share.group(1)) <= 100, (name, listed.trigger)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_an_l1_holds_its_shared_caches_hot_keys_ok(name: str, arch: Architecture, document: str) -> None:
    """An in-process cache (L1) counts the hot keys its shared cache's hit ratio counts (issue 22-e7): its entries, memory and
    ratio, never one entry in front of a cache sized on millions."""
    known = {f.key: f for f in arch.figures}
    for plan in (c for c in arch.caches if c.l1_entries):
        uid = next(
            f.key.removeprefix("cache.l1.hit_ratio.")
            for f in arch.figures
            if f.key.startswith("cache.l1.hit_ratio.") and f.scope == f"use case '{plan.use_case}'"
        )
        shared = known.get(f"cache.origin.hit_ratio.{uid}") if plan.strategy == "cdn" else known.get(f"cache.hit_ratio.{uid}")
        assert shared is not None, (name, plan.use_case)
        assert plan.l1_entries == shared.inputs["hot_keys"], (name, plan.use_case)
        assert known[f"cache.l1.bytes.{uid}"].inputs["hot_keys"] == shared.inputs["hot_keys"], (name, plan.use_case)
        assert known[f"cache.l1.hit_ratio.{uid}"].value <= known[f"cache.l1.hit_ratio.{uid}"].inputs["share"], (name, plan.use_case)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_primarys_two_thresholds_are_named_together_ok(name: str, arch: Architecture, document: str) -> None:
    """The bottleneck table names a primary's ceiling with the planned share its sharding and replica decisions act at (issue
    22-e7), and no shard map's average shard is sized past that share."""
    from backend_architect.design.write_headroom import WRITE_HEADROOM

    for listed in arch.bottlenecks:
        if listed.title in {"Write ceiling of one database primary", "Read load on the primary"}:
            assert "(the ceiling; a node is planned to 70% of it" in listed.trigger, (name, listed.trigger)
    known = {f.key: f for f in arch.figures}
    for key, count in known.items():
        if key.startswith("db.shards.") and "write_headroom" in count.inputs:
            inserts = count.inputs.get("peak_inserts", count.inputs.get("map_peak_inserts", 0.0))
            assert inserts / count.value <= PRIMARY_WRITE_CEILING * WRITE_HEADROOM + 1e-6, (name, key)


#: Every design's spec, by design name.
SPECS = {**{f"{p.parent.name}/{p.stem}": load_spec(p).spec for p in FILES}, **{n: spec_of(t) for n, t in WRITTEN.items()}}


def _example_rows(example: Any) -> list[dict[str, Any]]:
    if isinstance(example, dict) and isinstance(example.get("items"), list):
        return [r for r in example["items"] if isinstance(r, dict)]
    return [example] if isinstance(example, dict) else []


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_examples_show_no_field_of_a_later_state_ok(name: str, arch: Architecture, document: str) -> None:
    """Every example of an entity with a lifecycle is one state (issue 22-e3): an optional field the write leading to a later
    state sets (a trip's fare, set by ending it) is null in an example whose state comes before (a requested or accepted trip),
    unless the create or the write leading to an earlier state sets it too."""
    from backend_architect.design.named_state import named_value
    from backend_architect.design.ownership import is_state
    from backend_architect.spec.naming import resolve_column

    spec = SPECS[name]
    for entity, body in spec.entities.items():
        state = next((n for n, f in body.fields.items() if is_state(n, f) and f.generated is not False), None)
        if state is None:
            continue
        values = [str(v) for v in body.fields[state].type.values]
        own: dict[str, set[str]] = {}
        created: set[str] = set()
        for use in spec.use_cases:
            fields = {w.split(".", 1)[1] for w in use.writes if w.startswith(entity + ".")}
            names = {n for f in fields if f in body.fields for n in (f, resolve_column(spec, entity, f)) if n}
            if use.kind == "create":
                created |= names
                continue
            value = named_value(use.name, values)
            if value is not None and use.kind in {"action", "update", "replace", None}:
                own.setdefault(value, set()).update(n for n in names if body.fields.get(n.removesuffix("_id"), body.fields.get(n)) is not None)
        for op in (o for a in arch.apis for o in a.operations if o.entity == entity):
            for row in _example_rows(op.example_response):
                shown = row.get(state)
                if shown not in values:
                    continue
                before = {n for v in values[: values.index(shown) + 1] for n in own.get(v, set())} | created
                for later in values[values.index(shown) + 1 :]:
                    for field_name in own.get(later, set()) - before:
                        nullable = body.fields.get(field_name, body.fields.get(field_name.removesuffix("_id")))
                        if nullable is not None and nullable.is_nullable and field_name in row:
                            assert row[field_name] is None, (name, op.operation_id, shown, field_name)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_unique_rule_names_the_mechanism_holding_it_ok(name: str, arch: Architecture, document: str) -> None:
    """A unique rule of a table sharded on another key (issue 22-e3): its index's and constraint's sentences name the
    uniqueness table holding it across the shards (its reservation refuses the second write), and the index's own scope with
    the stage that builds the shards."""
    for store in arch.datastores:
        for table in store.tables:
            if table.sharding is None:
                continue
            for guard in table.sharding.uniques:
                sentences = [u.reason for u in table.uniques if u.columns == guard.columns]
                sentences += [r for i in table.indexes if i.unique and [c.name for c in i.columns] == guard.columns for r in i.reasons]
                for sentence in sentences:
                    assert guard.table in sentence, (name, table.name, sentence)
                    assert "fails on this index" not in sentence, (name, table.name, sentence)
                    assert "while unsharded" not in sentence, sentence
                    assert table.sharding.now is not False or "until stage" in sentence, sentence


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_step_reading_another_services_rows_has_a_call_or_a_copy_drawn_ok(name: str, arch: Architecture, document: str) -> None:
    """A feed read filtered through a graph another service owns reads it by a drawn call or an event-fed copy, never "local";
    a fan-out worker's pushes are drawn where it writes (its write's flow, the component diagram)."""
    one_database = arch.deployment == "modular-monolith"
    mermaid = RENDERED[name]["diagrams/architecture.mmd"]
    for mechanism in (m for m in arch.mechanisms if m.serves == "read" and m.store == "redis" and m.how.startswith("LRANGE feed:")):
        flow = next(f for f in arch.flows if f.use_case == mechanism.use_case)
        home = flow.steps[0].target
        # "own database": the graph lives beside the items (graph_reads.GraphRead.source), the one case a feed read is local
        if one_database or "own database" in mechanism.how:
            continue
        assert flow.style != "local", (name, flow.rationale)
        called = [s for s in flow.steps if s.kind == "query" and s.source == home and s.target not in {c.name for c in arch.components}]
        copied = [s for s in flow.steps if s.kind == "event" and s.target == home]
        assert called or copied, (name, mechanism.how)
        for step in called:
            assert f"{node_id('svc', home)} -->|sync| {node_id('svc', step.target)}" in mermaid
        for step in copied:
            assert any(home in e.consumers and e.producer == step.source for e in arch.events), (name, step)
    for mechanism in (m for m in arch.mechanisms if m.serves == "write" and any(c.name == m.store and c.kind == "worker" for c in arch.components)):
        flow = next(f for f in arch.flows if f.use_case == mechanism.use_case)
        pushes = [s for s in flow.steps if s.source == mechanism.store and s.kind == "event"]
        assert any(s.target == mechanism.store for s in flow.steps), (name, mechanism.store)
        for step in pushes:
            if any(c.name == step.target for c in arch.components):
                assert f"{node_id('cmp', mechanism.store)} -->|writes| {node_id('cmp', step.target)}" in mermaid


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_push_catch_up_read_exists_in_the_contracts_ok(name: str, arch: Architecture, document: str) -> None:
    """A push's catch-up read exists in the contracts (issue 22-e5): every channel that tells a reconnecting client to fetch what
    it missed names the operation, that operation is a list or get of the rows it pushes in the OpenAPI documents, and the
    delivery decisions name the same operation; the AsyncAPI document promises no fetch beyond what each channel names."""
    from backend_architect.ir.catch_up import operation_by_id, reconnects

    for part in reconnects(arch):
        if not part.promised and part.operation is None:
            continue
        assert part.operation is not None, (name, part.channel, part.text)
        found = operation_by_id(arch, part.operation)
        assert found is not None, (name, part)
        assert found[1].kind in {"list", "get"}, (name, part)
        assert found[1].entity == part.entity, (name, part)
        assert found[0] == part.path, (name, part)
        contract = RENDERED[name][f"openapi/{next(a.service for a in arch.apis if found[1] in a.operations)}.yaml"]
        assert f"operationId: {part.operation}" in contract, (name, part.operation)
        for use_case in part.use_cases:
            decision = next((d for d in arch.decisions if d.id.startswith("realtime.") and d.subject == use_case), None)
            assert decision is None or part.operation in decision.consequences, (name, use_case)
    gateway = RENDERED[name].get("asyncapi/realtime-gateway.yaml", "")
    assert "fetches what it missed through the REST API from its last cursor" not in gateway, name


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_a_relayed_co_write_is_drawn_outside_the_transaction_ok(name: str, arch: Architecture, document: str) -> None:
    """A write whose other rows live on other shards now commits its own row alone: the store steps its sequence diagram draws
    name only the own rows in the transaction and say the relay applies the others after the commit, as the cross-shard decision
    does (the seventeenth trial's uber drew request ride as one transaction beside 'not in one transaction')."""
    from backend_architect.ir.store_steps import store_steps

    flows = {f.use_case: f for f in arch.flows}
    for store in arch.datastores:
        for table in store.tables:
            for write in table.sharding.co_writes if table.sharding else []:
                if write.since != "now" or write.use_case not in flows:
                    continue
                (line,) = [s.text for s in store_steps(arch, flows[write.use_case]) if s.phase == "write" and "commit" in s.text]
                inside, _, after = line.partition("commit")
                for other in write.tables:
                    assert not re.search(rf"\b{re.escape(other)}\b", inside.split("outbox row")[0]), (write.use_case, other, line)
                    assert other in after, line
                    appliers = [c.name for c in arch.components if c.decision == "cross-shard-writes" and write.use_case in c.use_cases]
                    assert appliers, (write.use_case, [c.name for c in arch.components])
                    # where they live today: their shards, or the unsharded primary (a map's table its own numbers shard later)
                    assert f"applied where they live (their shards, or the unsharded primary) by {appliers[0]} after the commit" in after, line
