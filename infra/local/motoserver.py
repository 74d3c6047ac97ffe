"""moto's server in its own process.

A separate process keeps the local cloud's AWS state away from the test
process: unit tests that use `moto.mock_aws` reset moto's in-memory backends,
which would wipe a server running in the same process. The child exits when
the parent's end of the pipe closes, so a crashed parent leaves no server.

Changes to moto, made in this process and (the first two) in the test
processes' in-process moto (tests/conftest.py): TransactWriteItems. moto
deep-copies the whole table (with every stream record so far) once per item
of a transaction, to roll back on cancellation, and on rollback swaps in the
copy, so stream readers holding the old table miss later writes. The outbox
pattern writes every change in a transaction, so this made seeding 46 items
take 12 s and grows with every write. `lighter_transactions` snapshots only
the items a transaction touches and rolls back in place (same result for the
client: cancellation reasons, no partial writes, no stream records).
Writes are serialised (`_serialised_writes`): moto's threaded server does
not make a conditional write atomic, DynamoDB does.
Queries read their partition (`partition_queries`, also used by the unit
tests' in-process moto): moto sorted the whole table on every Query.
Also, moto keeps every DynamoDB stream shard iterator forever; the pollers ask
for a few each second, so only the newest ones are kept (AWS expires them
after 15 minutes anyway).
DynamoDB answers skip moto's generic serializer walk over attribute values
(`faster_responses`, D-272; also in the test processes).
Stream writes are announced (`_announce_stream_writes`): the server sends the
names of tables whose stream grew over a second pipe, and the local cloud
wakes those tables' stream pollers, which otherwise wait seconds between
reads (D-190: polling every stream five times a second kept moto and the test
process a third busy while idle).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

_SPAWN = multiprocessing.get_context("spawn")


def lighter_transactions() -> None:
    """Replace moto's whole-table snapshot in TransactWriteItems by per-item snapshots
    (also applied to the tests' in-process moto, tests/conftest.py)."""
    import copy
    import types

    from moto.dynamodb import models as ddb_models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(ddb_models.DynamoDBBackend.transact_write_items, "_lighter", False):
        return
    real_deepcopy = copy.deepcopy

    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        # moto's own rollback then reinstates the same (already restored) table
        return value if isinstance(value, Table) else real_deepcopy(value, memo)

    ddb_models.copy = types.SimpleNamespace(deepcopy=deepcopy)  # type: ignore[assignment]
    original = ddb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Any, Any, Any, Any]] = []
        shards: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            op = next(iter(entry.values())) if entry else {}
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            key = op.get("Key") or op.get("Item") or {}
            try:
                hash_value = DynamoType(key[table.hash_key_attr])
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            except (KeyError, TypeError):
                continue  # moto rejects the request itself
            saved.append((table, hash_value, range_value, real_deepcopy(table.get_item(hash_value, range_value))))
            if table.stream_shard is not None:
                shards.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(saved):
                _restore(table, hash_value, range_value, before)
            for shard, length in shards.values():
                del shard.items[length:]
            raise

    transact_write_items._lighter = True  # type: ignore[attr-defined]
    ddb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def partition_queries() -> None:
    """Let a Query look at its partition instead of the whole table, sorted.

    moto's Query starts from `Table.all_items()`, which sorts every item of the
    table by key (slow DynamoType comparisons), then keeps the matches and
    sorts those again: each Query costs O(n log n) in the table's size, so a
    run of a thousand messages slows down as it writes. During a Query, and
    only for the table queried, `all_items` here returns the partition (base
    table) or every item unsorted (an index; moto sorts the matches by the
    index and table keys itself). Results, order and pagination are moto's.
    Scans keep the sorted listing they page through.
    """
    import inspect
    import threading

    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_partitioned", False):
        return
    original_query = Table.query
    original_all_items = Table.all_items
    signature = inspect.signature(original_query)
    querying = threading.local()

    def all_items(self: Any) -> list[Any]:
        scope = getattr(querying, "scope", None)
        if scope is None or scope[0] is not self:
            return original_all_items(self)
        hash_key = scope[1]
        if hash_key is None:
            buckets = list(self.items.values())
        else:
            bucket = self.items.get(hash_key)
            buckets = [] if bucket is None else [bucket]
        if self.range_key_attr:
            return [item for bucket in buckets for item in bucket.values()]
        return buckets

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs).arguments
        index_name = bound.get("index_name")
        hash_key = bound.get("hash_key")
        if not index_name and hash_key is None:
            return original_query(self, *args, **kwargs)  # a key shape moto finds its own way
        saved = getattr(querying, "scope", None)
        querying.scope = (self, None if index_name else hash_key)
        try:
            return original_query(self, *args, **kwargs)
        finally:
            querying.scope = saved

    query._partitioned = True  # type: ignore[attr-defined]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]


# the members of DynamoDB's AttributeValue union, in the service model's order
_ATTRIBUTE_VALUE_MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def faster_responses() -> None:
    """Three of moto's hot spots, answered the same way at a fraction of the CPU (D-272).

    - moto 5.2 writes every DynamoDB answer through its generic response serializer, which for each
      attribute value of each item tries all ten members of the AttributeValue union through six
      alias providers: half of moto's CPU in a test that reads items. Attribute values
      (`{"S": ...}`, `{"M": {...}}`, ...) are written here directly, with the serializer's own
      conversions (strings, base64 for binary, nested maps and lists); everything around them
      still goes through moto's serializer.
    - `Item.__init__` re-summed the size of every attribute before adding the next (quadratic in
      an item's attributes); the 400 KB limit is checked once on the total, which is the same test.
    - each request listed the response class's methods with `inspect.getmembers`; the list is
      kept per class.
    tests/unit/test_local_moto_responses.py compares the answers with moto's own.
    """
    import functools

    from moto.core import responses as core_responses
    from moto.core import serialize
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    serializer = serialize.BaseJSONSerializer
    if getattr(serializer._serialize_type_structure, "_faster", False):
        return
    structure = serializer._serialize_type_structure

    def attribute_value(self: Any, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for member in _ATTRIBUTE_VALUE_MEMBERS:
            v = value.get(member)
            if v is None:
                continue
            if member in ("S", "N"):
                out[member] = _string(v)
            elif member == "B":
                out[member] = self._base64(v)
            elif member in ("SS", "NS"):
                out[member] = [_string(x) for x in v]
            elif member == "BS":
                out[member] = [self._base64(x) for x in v]
            elif member == "M":
                out[member] = {k: attribute_value(self, x) for k, x in v.items() if x is not None}
            elif member == "L":
                out[member] = [attribute_value(self, x) if isinstance(x, dict) else x for x in v]
            else:
                out[member] = v
        return out

    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and type(value) is dict:
            serialized[self.get_serialized_name(shape, key)] = attribute_value(self, value)
            return
        structure(self, serialized, value, shape, key)

    _serialize_type_structure._faster = True  # type: ignore[attr-defined]
    _serialize_type_structure.moto_own = structure  # type: ignore[attr-defined]
    serializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign]

    def item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > 405000:
            raise ItemSizeTooLarge  # moto's limit, on the same sum its per-attribute check reaches last
        self.attrs = dynamo_type.LimitedSizeDict(converted)

    dynamo_type.Item.__init__ = item_init  # type: ignore[method-assign]
    core_responses.method_names_from_class = functools.cache(core_responses.method_names_from_class)


def _string(value: Any) -> Any:
    # moto's JSON serializer: str() of anything but None, {} and []
    return str(value) if value not in (None, {}, []) else value


def _serialised_writes() -> None:
    """One DynamoDB write at a time, as DynamoDB's per-item atomicity guarantees.

    moto's threaded server evaluates a condition and applies the write in two
    steps without a lock, so two concurrent conditional writes to one item
    could both succeed locally; on AWS exactly one does. A process-wide lock
    around every write (and transactional read) restores that guarantee.
    """
    import functools
    import threading

    from moto.dynamodb import models as ddb_models

    lock = threading.RLock()
    backend = ddb_models.DynamoDBBackend
    for name in (
        "put_item",
        "update_item",
        "delete_item",
        "batch_write_item",
        "transact_write_items",
        "transact_get_items",
    ):
        original = getattr(backend, name, None)
        if original is None:
            continue

        def locked(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(*args, **kwargs)

        setattr(backend, name, functools.wraps(original)(locked))


def _bounded_shard_iterators(keep: int = 2000) -> None:
    """Forget the oldest stream shard iterators instead of keeping all of them."""
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    original = DynamoDBStreamsBackend.get_records
    # the server answers stream pollers on several threads: trimming the shared dict while
    # another thread reads it raised "dictionary changed size" or lost a live iterator
    guard = threading.RLock()

    def get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        with guard:
            result: dict[str, Any] = original(self, iterator_arn, limit)
            iterators = self.shard_iterators
            while len(iterators) > keep:
                iterators.pop(next(iter(iterators)))
            return result

    original_iterator = DynamoDBStreamsBackend.get_shard_iterator

    def get_shard_iterator(self: Any, *args: Any, **kwargs: Any) -> Any:
        with guard:
            return original_iterator(self, *args, **kwargs)

    DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_shard_iterator = get_shard_iterator  # type: ignore[method-assign]


def _announce_stream_writes(notify: Connection) -> None:
    """Send the names of tables whose stream got records, at most one message per burst."""
    from moto.dynamodb.models.table import StreamShard

    dirty: set[str] = set()
    lock = threading.Lock()
    wake = threading.Event()
    original = StreamShard.add

    def add(self: Any, old: Any, new: Any) -> None:
        original(self, old, new)
        with lock:
            dirty.add(self.table.name)
        wake.set()

    def send() -> None:
        while True:
            wake.wait()
            wake.clear()
            with lock:
                names = sorted(dirty)
                dirty.clear()
            try:
                notify.send(names)
            except (OSError, ValueError):  # the parent has gone
                return

    StreamShard.add = add  # type: ignore[method-assign]
    threading.Thread(target=send, name="stream-writes", daemon=True).start()


def _restore(table: Any, hash_value: Any, range_value: Any, before: Any) -> None:
    if range_value is None:
        if before is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before
        return
    if before is None:
        bucket = table.items.get(hash_value)
        if bucket is not None:
            bucket.pop(range_value, None)
            if not bucket:
                table.items.pop(hash_value, None)
    else:
        table.items[hash_value][range_value] = before


def _serve(conn: Connection, notify: Connection, host: str, port: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per AWS call
    try:
        lighter_transactions()
        partition_queries()
        _serialised_writes()
        _bounded_shard_iterators()
    except (ImportError, AttributeError) as exc:  # a moto upgrade moved things: keep moto's own
        logging.getLogger("infra.local").warning("moto transaction patch not applied: %s", exc)
    try:
        faster_responses()
    except (ImportError, AttributeError) as exc:  # only speed is lost
        logging.getLogger("infra.local").warning("moto response patch not applied: %s", exc)
    announcing = True
    try:
        _announce_stream_writes(notify)
    except (ImportError, AttributeError) as exc:  # then the stream pollers poll often (see LocalCloud)
        logging.getLogger("infra.local").warning("stream writes not announced: %s", exc)
        announcing = False
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    try:
        server.start()
    except OSError as exc:
        conn.send(("error", f"cannot listen on {host}:{port}: {exc}"))
        return
    conn.send(("ready", (server.get_host_and_port()[1], announcing)))
    with contextlib.suppress(EOFError, OSError):
        conn.recv()
    os._exit(0)  # daemon threads of werkzeug need no orderly shutdown


class MotoServer:
    """Starts moto on `host:port` (0 picks a free port) and stops it.

    `on_stream_write(table_names)` is called (on a thread of its own) after
    records were added to those tables' streams; `announces_writes` says
    whether this moto could be taught to do so.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, on_stream_write: Callable[[list[str]], None] | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.on_stream_write = on_stream_write
        self.announces_writes = False
        self._conn: Connection | None = None
        self._notices: Connection | None = None
        self._listener: threading.Thread | None = None
        self._process: multiprocessing.process.BaseProcess | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 30.0) -> str:
        self._conn, child = _SPAWN.Pipe(duplex=True)
        self._notices, notify = _SPAWN.Pipe(duplex=False)
        self._process = _SPAWN.Process(
            target=_serve, args=(child, notify, self.host, self.port), name="moto", daemon=True
        )
        self._process.start()
        child.close()
        notify.close()
        if not self._conn.poll(timeout_s):
            self.stop()
            raise RuntimeError(f"moto did not start within {timeout_s:.0f} s")
        try:
            kind, value = self._conn.recv()
        except EOFError as exc:
            self.stop()
            raise RuntimeError("moto exited during start-up") from exc
        if kind != "ready":
            self.stop()
            raise RuntimeError(str(value))
        port, self.announces_writes = value
        self.port = int(port)
        self._listener = threading.Thread(target=self._listen, args=(self._notices,), name="moto-writes", daemon=True)
        self._listener.start()
        return self.url

    def _listen(self, notices: Connection) -> None:
        """Pass stream-write notices on until the server exits (its end of the pipe closes)."""
        while True:
            try:
                names = notices.recv()
            except (EOFError, OSError):
                return
            if self.on_stream_write is not None:
                try:
                    self.on_stream_write(names)
                except Exception:  # a notice is a hint; the pollers' slow poll still finds the records
                    logging.getLogger("infra.local").exception("stream-write notice failed")

    def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(("stop", None))
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(3)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(1)
            self._process = None
        if self._listener is not None:
            self._listener.join(3)  # the child's exit ended it
            self._listener = None
        if self._notices is not None:
            self._notices.close()
            self._notices = None
