"""`python main.py new-scenario NAME`: a small, valid, commented scenario to start from.

The starting file uses one of each part of the format (variables, a global, a
relation, an alliance, a ladder, an agreement type with its lifecycle cards,
cards of every family, events, upkeep, objectives, doctrines and an end
condition) so that an author edits working examples instead of writing from an
empty page. A test loads, checks and plays what this writes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path
from typing import NoReturn

from engine.cli.common import command
from engine.core import paths
from engine.persistence.files import WriteError, check_target, write_file

SCHEMA = paths.shipped("docs") / "scenario.schema.json"


#: the longest title the template takes (a title is shown on one line of the map and of every report)
MAX_TITLE = 200


def scenario_id(name: str) -> str:
    """`Harbour Crisis 2031` -> `harbour_crisis_2031`; a valid id (starts with a letter, at most 48 characters)."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if slug and not slug[0].isalpha():
        slug = "s_" + slug
    slug = slug[:48].rstrip("_")
    if not slug:
        raise ValueError(f"cannot make a scenario id from {name!r}: use letters, digits and spaces")
    return slug


def schema_ref(out: Path) -> str:
    """The schema's path relative to the new file, so editors find it wherever the file is written."""
    try:
        return Path(os.path.relpath(SCHEMA, out.resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows
        return SCHEMA.as_uri()


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_title(name: str) -> str:
    """The title as given, or ValueError: a title is one line of printable text (a control character or a lone
    surrogate from an undecodable argument would make a file the loader refuses, or that prints badly)."""
    bad = next((ch for ch in name if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")), None)
    if bad is not None:
        raise ValueError(f"the title holds a control character (U+{ord(bad):04X}); give one line of printable text")
    if len(name) > MAX_TITLE:
        raise ValueError(f"the title is {len(name):,} characters long; give at most {MAX_TITLE}")
    return name


def render(name: str, out: Path, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    start = dt.date(today.year + 1, 1, 1)
    return TEMPLATE.format(schema=schema_ref(out), id=scenario_id(name), title=_yaml_str(check_title(name)),
                           start=start.isoformat(), cmd=command())


def write_new(name: str, out: Path, force: bool = False) -> Path:
    """Write the starting scenario; refuse to replace an existing file unless `force`.

    Written by the engine's rule for files (engine/persistence/files.py): atomically through a temporary file of its own
    (a user's OUT.tmp is never touched), only as a regular file (a pipe, a device or a folder is refused, with
    --force too), never through a symbolic link at OUT, and over an existing file only with --force.
    Raises OSError (FileExistsError, IsADirectoryError or engine.persistence.files.WriteError) with one sentence.
    """
    try:
        check_target(out, replace=force)
    except WriteError as exc:
        _refusal(exc, name, out)
    text = render(name, out)
    try:
        write_file(out, text, replace=force)
    except WriteError as exc:
        _refusal(exc, name, out)
    return out


def _refusal(exc: OSError, name: str, out: Path) -> NoReturn:
    """The command's own words for an existing file or a folder; the write's for the rest (a link, a pipe ...)."""
    kind = getattr(exc, "kind", "")
    if kind == "exists":
        raise FileExistsError(f"{out} already exists; choose another --out or add --force to replace it") from None
    if kind == "folder":
        raise IsADirectoryError(f"{out} is a folder; give a file name, e.g. {out / (scenario_id(name) + '.yaml')}") \
            from None
    raise exc


TEMPLATE = """\
# yaml-language-server: $schema={schema}
#
# A starting scenario written by `{cmd} new-scenario`. Every part is a
# small working example; change the names, figures and cards, then run
#   {cmd} validate THIS_FILE   (is it well formed?)
#   {cmd} check THIS_FILE      (does it play well?)
#   {cmd} play --headless --scenario THIS_FILE
# The guide is docs/authoring.md.

format: 1

meta:
  id: {id}                # lower-case letters, digits and _
  title: {title}
  summary: >-
    Two rival powers and a small state between them. The small state wants
    guarantees; the powers want influence without a war.
  start_date: {start}
  turn_months: 1          # one turn is one month of game time
  turns: 8
  orders_per_turn: 2      # orders each side may give in a turn
  dashboard: [capacity, forces, support]
  sources:
    - id: design
      title: Values chosen by the scenario's authors
      note: Replace with the sources of any real figure you use, and cite them per actor under `sources:`.

# Every actor has every variable; an actor's value is its own or the default.
variables:
  capacity:
    label: Action points
    min: 0
    max: 6
    default: 3
    description: Spent on cards; refilled each turn by `each_turn` below.
  forces:
    label: Forces
    min: 0
    max: 100
    default: 50
  support:
    label: Public support
    min: 0
    max: 100
    default: 55
  warning:
    label: Warning intelligence
    min: 0
    max: 10
    default: 3
    private: true          # seen only by its own actor

globals:
  stability:
    label: Regional stability
    min: 0
    max: 100
    initial: 60

relation_variables:
  trust:
    label: Trust
    min: -100
    max: 100

actors:
  - id: north
    name: Northern Power
    kind: state
    color: "#3f6fb5"
    territory: [FI]            # ISO codes of countries on the map (assets/europe.json)
    capital: [24.94, 60.17]    # longitude, latitude
    variables: {{forces: 70}}
  - id: south
    name: Southern Power
    kind: state
    color: "#9b3b32"
    territory: [RO]
    capital: [26.10, 44.43]
    variables: {{forces: 65, support: 60}}
  - id: middle
    name: Middle State
    kind: state
    color: "#e0b440"
    territory: [MD]
    capital: [28.86, 47.01]
    variables: {{forces: 30}}

relations:
  - {{between: [north, south], values: {{trust: -40}}}}
  - {{between: [north, middle], values: {{trust: 20}}}}

alliances:
  - id: northern_league
    name: Northern League
    members: [north]

# The escalation ladder: named rungs over one score; cards move the score.
ladder:
  initial_score: 10
  min_score: 0
  max_score: 100
  decay: 2                 # points lost in a turn with no escalation
  rungs:
    - {{id: calm, name: Calm, threshold: 0}}
    - {{id: tension, name: Tension, threshold: 15}}
    - {{id: standoff, name: Armed standoff, threshold: 35}}
    - {{id: open_war, name: Open war, threshold: 60}}
end_on_rung: open_war      # reaching this rung ends the game

agreement_types:
  - id: guarantee
    name: Security guarantee
    lapse_after: 3         # turns a proposal may sit idle before it lapses
    each_turn:             # while in force; `parties` are its parties
      - {{change: parties.forces, by: 1}}

cards:
  - id: build_forces
    name: Build up forces
    family: budget
    cost: {{capacity: 2}}
    cooldown: 1            # turns to wait before playing it again
    effects:
      - {{change: self.forces, by: 6}}
      - {{change: self.support, by: -3}}

  - id: rally_public
    name: Rally the public
    family: budget
    cost: {{capacity: 1}}
    effects:
      - {{change: self.support, by: 4}}

  - id: offer_guarantee
    name: Offer a security guarantee
    family: agreement
    playable_by: [north, south]
    conditions:
      - agreement: {{type: guarantee, parties: [self, middle]}}
        in: [proposed, negotiating, signed, in_force]
        exists: false
    cost: {{capacity: 1}}
    effects:
      - {{agreement: propose, type: guarantee, parties: [self, middle]}}

  - id: accept_talks
    name: Accept talks on a guarantee
    family: agreement
    target:
      kind: agreement
      where:
        - {{agreement: {{target: true}}, in: [proposed], self_is_party: true, self_is_proposer: false}}
    cost: {{capacity: 1}}
    effects:
      - {{agreement: negotiate, target: true}}

  # One lifecycle step per card: every step is checked against the agreement
  # as it stands before the card, so `sign` then `ratify` in one card could
  # never be played.
  - id: sign_guarantee
    name: Sign the guarantee
    family: agreement
    target:
      kind: agreement
      where:
        - {{agreement: {{target: true}}, in: [negotiating], self_is_party: true}}
    cost: {{capacity: 1}}
    chance: 0.7
    effects:
      - {{agreement: sign, target: true}}
      - {{relation: trust, between: [parties, parties], by: 10}}
    on_failure:
      - {{note: The last clauses are still open.}}

  - id: ratify_guarantee
    name: Ratify the guarantee
    family: agreement
    target:
      kind: agreement
      where:
        - {{agreement: {{target: true}}, in: [signed], self_is_party: true}}
    cost: {{capacity: 2}}
    effects:
      - {{agreement: ratify, target: true}}
      - {{change: parties.support, by: 2}}

  - id: show_of_force
    name: Show of force
    family: escalation
    category: posturing
    playable_by: [north, south]
    target:
      kind: actor
      among: [north, south]
    chance:
      base: 0.6
      modifiers:
        - when: [{{var: self.forces, at_least: 70}}]
          add: 0.2
          why: strong forces impress
    effects:
      - {{escalate: 8}}
      - {{change: global.stability, by: -5}}
      - {{change: self.support, by: 3}}
      - {{relation: trust, between: [self, target], by: -10}}

  - id: hotline
    name: Open a hotline
    family: escalation
    category: deescalation
    conditions:
      - {{rung_at_least: tension}}
    cost: {{capacity: 1}}
    effects:
      - {{escalate: -6}}
      - {{change: global.stability, by: 4}}

events:
  - id: border_incident
    name: Border incident
    at_turn: 3
    chance: 0.5
    text: Patrols exchange fire on the border; both capitals blame the other.
    effects:
      - {{escalate: 6}}
      - {{change: global.stability, by: -5}}
  - id: private_warning
    name: "Private: warning from your services"
    at_turn: 2
    to: [middle]
    text: Your services see both powers preparing exercises near your border.
    effects:
      - {{change: middle.warning, by: 2}}

each_turn:
  - for: ["*"]             # every actor; `self` is each in turn
    effects:
      - {{change: self.capacity, by: 2}}

objectives:
  - id: north_influence
    actor: north
    description: A guarantee with the Middle State in force at the end
    points: 2
    conditions:
      - agreement: {{type: guarantee, parties: [north, middle]}}
        in: [in_force]
  - id: north_no_war
    actor: north
    description: The crisis never reaches an armed standoff
    conditions:
      - {{rung_at_most: tension, peak: true}}
  - id: south_forces
    actor: south
    description: Forces at least 80 at the end
    conditions:
      - {{var: self.forces, at_least: 80}}
  - id: south_support
    actor: south
    description: Public support at least 75 at the end
    points: 2
    conditions:
      - {{var: self.support, at_least: 75}}
  - id: middle_guaranteed
    actor: middle
    description: At least one guarantee in force at the end
    points: 2
    conditions:
      - any:
          - agreement: {{type: guarantee, parties: [north, middle]}}
            in: [in_force]
          - agreement: {{type: guarantee, parties: [middle, south]}}
            in: [in_force]
  - id: middle_stable
    actor: middle
    description: Regional stability at least 55 at the end
    conditions:
      - {{var: global.stability, at_least: 55}}

# What each side's bot values (each measure scaled to 0..1), how much risk it
# takes, and what it never does.
doctrines:
  - actor: north
    risk: 0.4
    values:
      - {{name: objectives, weight: 0.5, objectives: true}}
      - {{name: stability, weight: 0.2, var: global.stability}}
      - {{name: avoid war, weight: -0.3, escalation: true}}
  - actor: south
    risk: 0.7
    values:
      - {{name: objectives, weight: 0.5, objectives: true}}
      - {{name: forces, weight: 0.3, var: self.forces}}
    red_lines:
      - text: No step past an armed standoff.
        max_rung: standoff
  - actor: middle
    risk: 0.3
    values:
      - {{name: objectives, weight: 0.5, objectives: true}}
      - {{name: support, weight: 0.2, var: self.support}}
      - {{name: trust of the north, weight: 0.2, relation: trust, with: north}}
    red_lines:
      - text: Nothing that costs the government its public; support stays at 40 or more.
        keep: {{var: self.support, at_least: 40}}

end:
  - id: guarantees_everywhere
    text: both powers guarantee the Middle State
    when:
      - agreement: {{type: guarantee, parties: [north, middle]}}
        in: [in_force]
      - agreement: {{type: guarantee, parties: [middle, south]}}
        in: [in_force]
"""
