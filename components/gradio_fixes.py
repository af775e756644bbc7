"""Three fixes to gradio 6.31 that a classroom needs.

Images written to the cache atomically.

``gr.Image`` hands a numpy or PIL picture to ``processing_utils.save_pil_to_cache``, which names the
file by the hash of its bytes and writes it with ``Path.write_bytes``: truncate, then write. When
learners get the same picture at the same moment — a teacher's link, the lab's defaults — one
request truncates the file while the page of another is downloading it. The 30-learner load
benchmark saw it as "peer closed connection without sending complete message body (received 0
bytes, expected 40704)" on the attention lab's model view, and as uvicorn tracebacks ("Too little
data for declared Content-Length"). gradio's own ``save_file_to_cache`` already writes under a
temporary name and renames; here images do the same. Every gradio caller reaches the function
through the module (``processing_utils.save_pil_to_cache``), so replacing it there covers them all.

A session's per-block configs built when read. ``SessionState.__init__`` builds a config for every
block of the app (659 here) when a session first calls the server, to rebuild the page for a deep
link: 62 ms on an idle machine, on the server's event loop. A class opening the app and pressing
Start in the same seconds then waited for one another: measured with 30 learners, the handlers
began in batches ~1.5 s apart. ``_ConfigsOnDemand`` builds each block's entry when something first
reads it (gradio reads one when a block's value changes, and all for a deep link).

A stream's outgoing messages kept while it runs. The queue keeps each session's messages in
``pending_messages_per_session``, an ``LRUCache(2000)`` that evicts the session that arrived first,
however busy: a read does not refresh an entry. A Transformer run streaming for four minutes while
2,300 API calls from new sessions came (the 1,000-call fuzz run) lost its message queue; its next
frame raised ``KeyError`` inside gradio and the caller got an error whose message was null.
``_SessionMessages`` passes over sessions with an event in flight when it evicts. A session with an
event queued or running cannot be evicted, so the cache may pass 2,000 by at most the events in
flight, which the queue's ``max_size`` and the concurrency limits bound.
"""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from pathlib import Path

from gradio import processing_utils, queueing, state_holder
from gradio.utils import LRUCache

GRADIO_SAVE_PIL_TO_CACHE = processing_utils.save_pil_to_cache   # gradio's own (tests compare)


def save_pil_to_cache(img, cache_dir: str, name: str = "image", format: str = "webp") -> str:
    """gradio's function of the same name, written to a temporary file and renamed into place
    (atomic on one file system), and not rewritten when the same picture is already there."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    path = (folder / f"{name}.{format}").resolve()
    if not path.exists():
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".part-", delete=False) as part:
            part.write(data)
        os.replace(part.name, path)
    return str(path)


class _ConfigsOnDemand(dict):
    """``SessionState.config_values`` whose entries are built from ``blocks_config`` when first
    read, in any way gradio reads them (an item, ``in``, ``get``, the whole mapping)."""

    def __init__(self, blocks_config, keys):
        super().__init__()
        self._config = blocks_config
        self._blocks = dict.fromkeys(keys)    # gradio's order
        self._pending = dict(self._blocks)    # not built yet

    def _build(self, key) -> None:
        del self._pending[key]
        dict.__setitem__(self, key, self._config.config_for_block(key, [], self._config.blocks[key]))

    def _build_all(self) -> None:
        """Build what is left, then put the entries in gradio's order (the blocks' order, then
        entries added later), which reading some first changed."""
        if not self._pending:
            return
        order = list(self._pending)
        for key in order:
            self._build(key)
        built = dict(dict.items(self))
        first = [key for key in self._blocks if key in built]
        dict.clear(self)
        dict.update(self, {key: built[key] for key in first})
        dict.update(self, {key: value for key, value in built.items() if key not in self._blocks})

    def __missing__(self, key):
        if key not in self._pending:
            raise KeyError(key)
        self._build(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key) -> bool:
        return key in self._pending or dict.__contains__(self, key)

    def __setitem__(self, key, value) -> None:
        self._pending.pop(key, None)
        dict.__setitem__(self, key, value)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._pending)

    def __iter__(self):
        self._build_all()
        return dict.__iter__(self)

    def keys(self):
        self._build_all()
        return dict.keys(self)

    def values(self):
        self._build_all()
        return dict.values(self)

    def items(self):
        self._build_all()
        return dict.items(self)


GRADIO_SESSION_INIT = state_holder.SessionState.__init__   # gradio's own (tests compare)


def _session_init(self, blocks) -> None:
    """gradio's ``SessionState.__init__`` with ``config_values`` built on demand."""
    GRADIO_SESSION_INIT(self, _NoBlocks(blocks))
    self.config_values = _ConfigsOnDemand(self.blocks_config,
                                          [k for k in self.blocks_config.blocks if k in blocks.blocks])


class _NoBlocks:
    """``blocks`` as gradio's ``SessionState.__init__`` reads it, with no blocks to build configs
    for (``_session_init`` sets them up to be built on demand instead)."""

    def __init__(self, blocks):
        self.default_config = blocks.default_config
        self.blocks = {}


class _SessionMessages(LRUCache):
    """gradio's ``pending_messages_per_session``, whose eviction passes over a session that has
    an event queued or running (``events_in_flight``: the queue's ``pending_event_ids_session``,
    where a session's set empties as its events complete)."""

    def __init__(self, max_size: int, events_in_flight: dict[str, set[str]]):
        super().__init__(max_size)
        self._events_in_flight = events_in_flight

    def __setitem__(self, key, value) -> None:
        if key in self:
            self.move_to_end(key)
        elif len(self) >= self.max_size:
            idle = next((session for session in self if not self._events_in_flight.get(session)), None)
            if idle is not None:
                del self[idle]
        OrderedDict.__setitem__(self, key, value)


GRADIO_QUEUE_INIT = queueing.Queue.__init__   # gradio's own (tests compare)


def _queue_init(self, *args, **kwargs) -> None:
    """gradio's ``Queue.__init__``, with a session's messages kept while its events are in flight."""
    GRADIO_QUEUE_INIT(self, *args, **kwargs)
    self.pending_messages_per_session = _SessionMessages(self.pending_messages_per_session.max_size,
                                                         self.pending_event_ids_session)


def install() -> None:
    """Call before ``Blocks.queue``, which builds the queue."""
    processing_utils.save_pil_to_cache = save_pil_to_cache
    state_holder.SessionState.__init__ = _session_init
    queueing.Queue.__init__ = _queue_init
