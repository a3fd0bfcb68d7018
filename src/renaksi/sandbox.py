"""Parsing big untrusted workbooks in a child process with a memory cap.

:mod:`renaksi.safety` proves a workbook is bounded before any parser sees it, but "bounded"
still allows a few hundred megabytes of sheet XML, and what the parser allocates for that is
its business. So a workbook whose parts decompress to more than :data:`IN_PROCESS_BYTES`
is parsed in a fresh child process (``spawn``: nothing of the server's threads or locks is
inherited) whose address space may grow by :data:`MEMORY_LIMIT_BYTES` at most. A workbook that needs
more gets a clear refusal (422 on the API, exit code 2 on the CLI) and the server keeps its
memory. Smaller workbooks, every plan workbook in practice, are parsed in-process: starting a
child costs about half a second.

The frames come back as Arrow IPC bytes through a pipe.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.connection
import resource
from collections.abc import Callable
from typing import Any

import polars as pl

from renaksi.errors import FieldError, RenaksiError, ValidationError

#: workbooks whose parts decompress to more than this are parsed in the capped child
IN_PROCESS_BYTES = 32 * 1024 * 1024
#: memory the child may take for parsing, over what its imports mapped (RLIMIT_AS)
MEMORY_LIMIT_BYTES = 2 * 1024 * 1024 * 1024
#: a child that has not answered by then is killed
TIMEOUT_SECONDS = 300.0

Parser = Callable[[bytes], dict[str, pl.DataFrame]]


def parse(data: bytes, parser: Parser, *, uncompressed: int) -> dict[str, pl.DataFrame]:
    """``parser(data)``, in-process for small workbooks, in the capped child for big ones.

    ``parser`` must be a module-level function (the child imports it by name).
    """
    if uncompressed <= IN_PROCESS_BYTES:
        return parser(data)
    return _in_child(data, parser)


def _in_child(data: bytes, parser: Parser) -> dict[str, pl.DataFrame]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main,
        args=(send, parser.__module__, parser.__qualname__, data, MEMORY_LIMIT_BYTES),
        daemon=True,
    )
    child.start()
    send.close()
    try:
        answer = _receive(receive, child)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    kind, payload = answer
    if kind == "frames":
        return {name: pl.read_ipc(io.BytesIO(raw)) for name, raw in payload.items()}
    if kind == "refused":
        detail, errors = payload
        raise ValidationError(detail, [FieldError(**e) for e in errors])
    if kind == "memory":
        raise _too_big()
    raise ValidationError(
        "Berkas tidak dapat dibaca sebagai workbook Excel (.xlsx).",
        [FieldError(message=str(payload)[:300])],
    )


def _receive(
    receive: multiprocessing.connection.Connection, child: multiprocessing.process.BaseProcess
) -> tuple[str, Any]:
    if receive.poll(TIMEOUT_SECONDS):
        try:
            answer: tuple[str, Any] = receive.recv()
            return answer
        except EOFError:  # died while answering, or before: killed for its memory
            pass
    else:
        child.kill()
        raise ValidationError(
            "Berkas terlalu lama dibaca.",
            [FieldError(message=f"pembacaan dihentikan setelah {TIMEOUT_SECONDS:.0f} detik")],
        )
    child.join(5)
    raise _too_big()


def _too_big() -> ValidationError:
    limit = MEMORY_LIMIT_BYTES // 1024 // 1024
    return ValidationError(
        "Berkas tidak dapat dibaca dalam batas memori.",
        [
            FieldError(
                message=f"membaca workbook ini memerlukan lebih dari {limit} MB memori; "
                "pecah menjadi beberapa berkas atau simpan sebagai CSV"
            )
        ],
    )


def _child_main(
    send: multiprocessing.connection.Connection,
    module: str,
    qualname: str,
    data: bytes,
    limit: int,
) -> None:  # pragma: no cover - runs in the child
    import importlib
    import os

    # a parser that runs out of memory may print a backtrace: not for the server's log
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    parser: Parser = getattr(importlib.import_module(module), qualname)
    # the cap counts from here: what the imports mapped is not the file's doing
    cap = _address_space() + limit
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        frames = parser(data)
        out: dict[str, bytes] = {}
        for name, frame in frames.items():
            buffer = io.BytesIO()
            frame.write_ipc(buffer)
            out[name] = buffer.getvalue()
        send.send(("frames", out))
    except MemoryError:
        send.send(("memory", None))
    except RenaksiError as exc:
        send.send(("refused", (exc.detail, [_plain(e) for e in exc.errors])))
    except Exception as exc:  # noqa: BLE001 - the child reports every failure to the parent
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if any(word in message.lower() for word in ("memory", "alloc", "failed to map")):
            send.send(("memory", None))
        else:
            send.send(("broken", message))
    finally:
        send.close()


def _address_space() -> int:  # pragma: no cover - runs in the child
    """This process's virtual memory size in bytes (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _plain(error: FieldError) -> dict[str, Any]:
    return {f: getattr(error, f) for f in error.__struct_fields__}
