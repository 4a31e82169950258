"""Load YAML from untrusted files into plain data, remembering where each value came from.

Why not `yaml.safe_load`: it keeps the last of duplicate keys silently, lets an
alias bomb through (a few hundred bytes that expand to gigabytes when walked),
and forgets line numbers. Here we parse events to refuse aliases and deep
nesting early, compose the node tree with the C safe loader, and build the
data ourselves so that only plain scalars, lists and mappings ever exist and
every value keeps its file, line and column.
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.core.errors import Problem, ScenarioError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Documented limits for any YAML input (see SECURITY notes in the README).
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_COLLECTION_ITEMS = 5_000
MAX_NODES = 200_000

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}

Path_ = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    file: str
    line: int
    column: int


@dataclass
class Located:
    """Plain data plus, for each path into it, where the value (and its key) stood."""

    data: Any
    file: str
    values: dict[Path_, Mark]
    keys: dict[Path_, Mark]

    def mark_for(self, loc: Path_, prefer_key: bool = False) -> Mark:
        """The nearest known position for `loc`, walking up when a path has none (a missing field)."""
        loc = tuple(loc)
        while True:
            if prefer_key and loc in self.keys:
                return self.keys[loc]
            if loc in self.values:
                return self.values[loc]
            if loc in self.keys:
                return self.keys[loc]
            if not loc:
                return Mark(self.file, 1, 1)
            loc = loc[:-1]

    def problem(self, loc: Path_, message: str, prefer_key: bool = False) -> Problem:
        m = self.mark_for(loc, prefer_key)
        return Problem(m.file, m.line, m.column, message)

    def graft(self, loc: Path_, other: Located) -> None:
        """Record `other`'s marks under `loc` (used when a deck file is merged into a scenario)."""
        for p, m in other.values.items():
            self.values[loc + p] = m
        for p, m in other.keys.items():
            self.keys[loc + p] = m


def _mark(file: str, yaml_mark: Any) -> Mark:
    return Mark(file, yaml_mark.line + 1, yaml_mark.column + 1)


def _line_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def read_text(path: Path, display: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a file as UTF-8 text within the size limit, or raise ScenarioError.

    Only a regular file is read: a named pipe or a device is refused without waiting on it (it is opened
    non-blocking and checked before a byte is read).
    """
    try:
        st = path.stat()
    except OSError as exc:
        raise ScenarioError([Problem(display, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    _check_regular(st.st_mode, display)
    if st.st_size > max_bytes:
        raise ScenarioError(
            [Problem(display, 1, 1, f"file is {st.st_size:,} bytes; the limit is {max_bytes:,} bytes")]
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            _check_regular(os.fstat(fh.fileno()).st_mode, display)  # the file opened, not the one looked at
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ScenarioError([Problem(display, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    if len(raw) > max_bytes:
        raise ScenarioError([Problem(display, 1, 1, f"file is larger than the limit of {max_bytes:,} bytes")])
    return decode_text(raw, display)


def _check_regular(mode: int, display: str) -> None:
    if stat.S_ISDIR(mode):
        raise ScenarioError([Problem(display, 1, 1, "this is a folder, not a file")])
    if not stat.S_ISREG(mode):
        what = "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise ScenarioError([Problem(display, 1, 1, f"this is {what}, not a regular file; give a file to read")])


def decode_text(raw: bytes, display: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_of_offset(raw, exc.start)
        raise ScenarioError(
            [Problem(display, line, col, f"file is not valid UTF-8 text (byte 0x{raw[exc.start]:02x})")]
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ScenarioError([Problem(display, 1, 1, "file is empty")])
    return text


def _check_events(text: str, display: str) -> None:
    """Refuse aliases, explicit non-plain tags and excessive nesting before anything is built."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                m = _mark(display, event.start_mark)
                raise ScenarioError(
                    [Problem(m.file, m.line, m.column, f"YAML aliases (*{event.anchor}) are not allowed; write the value out")]
                )
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    m = _mark(display, event.start_mark)
                    raise ScenarioError(
                        [Problem(m.file, m.line, m.column, f"nesting deeper than {MAX_DEPTH} levels")]
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent) and event.explicit and depth == 0:
                pass
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_yaml_problem(exc, display)]) from None
    except yaml.YAMLError as exc:  # a character YAML refuses, or (rare) an unmarked error
        raise ScenarioError([_unmarked_problem(exc, text, display)]) from None


def _unmarked_problem(exc: yaml.YAMLError, text: str, display: str) -> Problem:
    """A YAML error without a mark: a reader error (a control character) located at its line, else line 1."""
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.position, int) and exc.position >= 0:
        # the C reader counts bytes of the UTF-8 text, the Python reader characters of the text
        offset = exc.position if exc.encoding == "unicode" else len(
            text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))
        before = text[:offset]
        line, column = before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
        char = exc.character
        code = ord(char) if isinstance(char, str) and char else char if isinstance(char, int) else None
        kind = "a control character" if code is not None and (code < 0x20 or 0x7F <= code <= 0x9F) else \
            "a special character"
        what = f"the character U+{code:04X} ({kind})" if code is not None else kind
        return Problem(display, line, column, f"{what} is not allowed in YAML; remove it, or write it as an escape "
                                              "such as \\u0001 inside double quotes")
    return Problem(display, 1, 1, f"YAML error: {exc}")


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
    if mark is None:
        return Problem(display, 1, 1, f"YAML syntax error: {what}")
    m = _mark(display, mark)
    return Problem(m.file, m.line, m.column, f"YAML syntax error: {what}")


class _Builder:
    def __init__(self, display: str):
        self.display = display
        self.values: dict[Path_, Mark] = {}
        self.keys: dict[Path_, Mark] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def _fail(self, node: yaml.Node, message: str) -> None:
        m = _mark(self.display, node.start_mark)
        self.problems.append(Problem(m.file, m.line, m.column, message))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            self._fail(node, f"more than {MAX_NODES:,} values in one file")
            raise _TooBig
        self.values[path] = _mark(self.display, node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _PLAIN_TAGS:
                self._fail(node, f"YAML tag {node.tag!r} is not allowed; only plain values, lists and mappings")
                return None
            try:
                value = self._scalars.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError) as exc:
                self._fail(node, f"cannot read value: {exc}")
                return None
            if isinstance(value, _dt.datetime):
                return value.isoformat()
            if isinstance(value, _dt.date):
                return value.isoformat()
            return value
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self._fail(node, f"YAML tag {node.tag!r} is not allowed")
                return None
            if len(node.value) > MAX_COLLECTION_ITEMS:
                self._fail(node, f"list has {len(node.value):,} items; the limit is {MAX_COLLECTION_ITEMS:,}")
                return None
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self._fail(node, f"YAML tag {node.tag!r} is not allowed")
                return None
            if len(node.value) > MAX_COLLECTION_ITEMS:
                self._fail(node, f"mapping has {len(node.value):,} keys; the limit is {MAX_COLLECTION_ITEMS:,}")
                return None
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self._fail(key_node, "YAML merge keys (<<) are not allowed; write the values out")
                    continue
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                    self._fail(key_node, "mapping keys must be plain text")
                    continue
                key = self._scalars.construct_object(key_node)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    key = str(key)
                if key in out:
                    first = self.keys.get((*path, key))
                    where = f" (first at line {first.line})" if first else ""
                    self._fail(key_node, f"duplicate key {key!r}{where}")
                    continue
                self.keys[(*path, key)] = _mark(self.display, key_node.start_mark)
                out[key] = self.build(value_node, (*path, key))
            return out
        self._fail(node, "unsupported YAML node")
        return None


class _TooBig(Exception):
    pass


def load_text(text: str, display: str) -> Located:
    """Parse one YAML document from text; raise ScenarioError listing every problem found."""
    _check_events(text, display)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_yaml_problem(exc, display)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([_unmarked_problem(exc, text, display)]) from None
    if node is None:
        raise ScenarioError([Problem(display, 1, 1, "file holds no YAML document")])
    builder = _Builder(display)
    try:
        data = builder.build(node, ())
    except _TooBig:
        pass
    if builder.problems:
        raise ScenarioError(builder.problems)
    return Located(data=data, file=display, values=builder.values, keys=builder.keys)


def load_file(path: Path, display: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> Located:
    display = display or str(path)
    return load_text(read_text(path, display, max_bytes), display)


def resolve_inside(base_dir: Path, relative: str, root: Path) -> Path | None:
    """Resolve a path written in a file; None if it is absolute or leaves `root` (also through symlinks)."""
    if not relative or Path(relative).is_absolute() or "\\" in relative or "\x00" in relative:
        return None
    try:
        candidate = (base_dir / relative).resolve()
        candidate.relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # outside root; a name too long; a symlink loop
        return None
    return candidate


def is_file(path: Path) -> bool:
    """Whether something other than a folder is at `path`; False (not an exception) for an unusable name.

    A named pipe or a device counts, so that reading it (`read_text`) says what it is instead of "not found".
    """
    try:
        return path.exists() and not path.is_dir()
    except (OSError, ValueError):
        return False
