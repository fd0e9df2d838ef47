"""The commented starter spec ``backend-architect init`` writes; it designs without error."""

STARTER_SPEC = """\
# A backend-architect spec. Run:  backend-architect design spec.yaml -o out/
# Reference: docs/spec.md. Editors: backend-architect schema > spec.schema.json, then
# yaml-language-server: $schema=spec.schema.json
# Write it the way your framework taught you (belongs_to, max_length, choices, Tag[],
# order_by: created_at desc ...); 'backend-architect fmt spec.yaml' shows the canonical form.
system: todo
description: A shared to-do list for small teams.

scale:
  users: 50k            # counts take k / M / B suffixes
  daily_active: 5k
  growth_per_year: 40%
  retention_years: 3
  availability: 99.9%
  rates: average        # use-case rates below are averages (or: peak)
  peak_factor: 3        # peak traffic over average

team:
  size: 3               # small teams get a modular monolith

constraints:
  language: python
  compliance: [gdpr]

entities:
  User:                     # rows come from scale.users unless given
    fields:
      email: {type: email, unique: true, pii: true}
      name: {type: string, max_length: 120, pii: true}
  TodoList:
    fields:
      title: string(200)
      owner: ref(User)      # a named reference: column owner_id
    rows: 20k
  Task:
    part_of: TodoList       # composition: /todo-lists/{todo_list_id}/tasks, deleted with its list
    fields:
      title: string(300)
      priority: enum(low|normal|high)
      done: {type: bool, default: false}
      due: date?            # '?' = nullable
      assignee: ref(User)?
    avg_per_parent: 25      # tasks per list
  Comment:
    belongs_to: [Task, User]  # required references, as in Rails: task_id, user_id
    fields:
      body: text

use_cases:
  - name: view my lists
    actor: member
    owner_only: true
    reads: [TodoList]
    filter: [owner]
    order_by: created_at desc
    page: {limit: 20, max: 100}
    rate: 30/s
  - name: create list
    actor: member
    writes: [TodoList]
    rate: 2k/day
  - name: list tasks
    actor: member
    reads: [Task]
    filter: [todo_list, done]
    sort: [due]
    page: cursor
    rate: 80/s
    staleness: 5s
  - name: add task
    actor: member
    writes: [Task]
    rate: 20k/day
  - name: complete task
    actor: member
    writes: [Task.done]
    rate: 15k/day
  - name: comment on task
    actor: member
    writes: [Comment]
    rate: 5k/day
"""
