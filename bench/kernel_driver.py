"""One ipykernel driven through jupyter_client the way JupyterLab drives it: execute
requests carrying the cell id and tags in their metadata.  The tracking benchmark and the
kernel tests both use it (bench/ is not a package: callers put this folder on sys.path)."""

from __future__ import annotations

import contextlib
import queue
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK = time.perf_counter


@dataclass
class Reply:
    status: str
    seconds: float = 0.0  # client-side, execute_request sent to status idle received
    stdout: str = ""
    stderr: str = ""
    result: str | None = None  # text/plain of the execute_result
    error: str | None = None  # ename: evalue
    tracebacks: int = 0
    displays: list[dict] = field(default_factory=list)


class Kernel:
    """A python3 kernel started with exactly ``env`` in ``cwd``."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        from jupyter_client import KernelManager

        started = CLOCK()
        # Unix sockets in a folder of its own: TCP ports picked as "free" clash when tests
        # start kernels side by side ("Address already in use").
        self._sockets = tempfile.TemporaryDirectory(prefix="nb2prod-kernel-")
        self.manager = KernelManager(
            kernel_name="python3", transport="ipc", ip=f"{self._sockets.name}/kernel"
        )
        self.manager.start_kernel(
            env=env, cwd=str(cwd), extra_arguments=["--IPKernelApp.log_level=CRITICAL"]
        )
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        self.start_seconds = CLOCK() - started

    def run(self, source: str, *, cell_id: str | None = None, tags=(), timeout=60) -> Reply:
        """Execute ``source`` with JupyterLab's metadata; TimeoutError when the kernel says
        nothing for ``timeout`` seconds."""
        metadata = {
            "cellId": cell_id,
            "tags": list(tags),
            "deletedCells": [],
            "recordTiming": False,
        }
        content = {
            "code": source,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        message = self.client.session.msg("execute_request", content, metadata=metadata)
        started = CLOCK()
        self.client.shell_channel.send(message)
        reply = Reply(status="")
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"the kernel did not answer {source!r}") from None
            if msg["parent_header"].get("msg_id") != message["header"]["msg_id"]:
                continue
            kind, body = msg["msg_type"], msg["content"]
            if kind == "stream":
                setattr(reply, body["name"], getattr(reply, body["name"]) + body["text"])
            elif kind == "execute_result":
                reply.result = body["data"].get("text/plain")
            elif kind == "display_data":
                reply.displays.append(body["data"])
            elif kind == "error":
                reply.error = f"{body['ename']}: {body['evalue']}"
                reply.tracebacks += 1
            elif kind == "status" and body["execution_state"] == "idle":
                reply.seconds = CLOCK() - started
                break
        while True:  # a late kernel_info reply of wait_for_ready (a loaded machine) first
            answer = self.client.get_shell_msg(timeout=timeout)
            if answer["parent_header"].get("msg_id") == message["header"]["msg_id"]:
                break
        reply.status = answer["content"]["status"]
        return reply

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.client.stop_channels()
        if self.manager.has_kernel:
            self.manager.shutdown_kernel(now=False)
        self._sockets.cleanup()
