"""GPU speed settings of meta-training: TF32 matmuls and a compiled or CUDA-graph-captured step.

The captured or compiled callable replaces `batching.gradient_sum` (this rank's
sum of per-task meta-gradients); the all-reduce and the optimizer step stay
eager. Where compiling or capturing fails the step falls back to eager once,
and `take_messages()` says so (the trainer turns it into a status record).
"""

from __future__ import annotations

import torch

from workbench.meta.batching import gradient_sum
from workbench.meta.config import STEP_MODES

WARMUP_STEPS = 3  # eager calls on a side stream before a CUDA graph is captured (lazy inits, allocator)


def configure_tf32(device: torch.device, enabled: bool) -> str | None:
    """TF32 for float32 matmuls and convolutions on CUDA; a note for the run's records."""
    if device.type != "cuda":
        return None
    precision = "tf32" if enabled else "ieee"
    matmul = getattr(torch.backends.cuda.matmul, "fp32_precision", None)
    if matmul is not None:  # PyTorch >= 2.9
        torch.backends.cuda.matmul.fp32_precision = precision
        torch.backends.cudnn.conv.fp32_precision = precision
    else:
        torch.backends.cuda.matmul.allow_tf32 = enabled
        torch.backends.cudnn.allow_tf32 = enabled
    return "TF32 matmuls on" if enabled else "TF32 off: full float32 matmuls"


class GradientStep:
    """Callable like gradient_sum(fn, meta, tasks, strategy, chunk_size), in one of STEP_MODES."""

    def __init__(self, mode: str, device: torch.device):
        if mode not in STEP_MODES:
            raise ValueError(f"unknown step mode {mode!r}")
        self.mode = mode
        self.device = device
        self._messages: list[str] = []
        self._compiled = None
        self._graph = None
        if mode == "cuda-graph" and device.type != "cuda":
            self._fall_back(f"CUDA graphs need a CUDA device, this run trains on {device.type}")

    def take_messages(self) -> list[str]:
        messages, self._messages = self._messages, []
        return messages

    def __call__(self, fn, meta, tasks, strategy: str, chunk_size: int = 0):
        if self.mode == "compile":
            return self._run_compiled(fn, meta, tasks, strategy, chunk_size)
        if self.mode == "cuda-graph":
            return self._run_graph(fn, meta, tasks, strategy, chunk_size)
        return gradient_sum(fn, meta, tasks, strategy, chunk_size)

    def _fall_back(self, why: str) -> None:
        self._messages.append(f"{why}; the meta-step runs eager")
        self.mode = "eager"
        self._compiled = self._graph = None

    # -- torch.compile ------------------------------------------------------------
    def _run_compiled(self, fn, meta, tasks, strategy, chunk_size):
        first = self._compiled is None
        if first:
            self._compiled = torch.compile(gradient_sum, dynamic=False)
        try:
            return self._compiled(fn, meta, tasks, strategy, chunk_size)
        except Exception as exc:  # noqa: BLE001 - any compiler failure means: run eager
            if not first:
                raise
            self._fall_back(f"torch.compile failed ({_first_line(exc)})")
            return gradient_sum(fn, meta, tasks, strategy, chunk_size)

    # -- CUDA graph ---------------------------------------------------------------
    def _run_graph(self, fn, meta, tasks, strategy, chunk_size):
        """Capture once with static task buffers; later steps copy the new tasks in and replay.
        The meta-parameters are updated in place by the optimizer, so their addresses hold."""
        if self._graph is None:
            try:
                self._capture(fn, meta, tasks, strategy, chunk_size)
            except Exception as exc:  # noqa: BLE001 - capture refused: run eager
                self._fall_back(f"CUDA graph capture failed ({_first_line(exc)})")
                return gradient_sum(fn, meta, tasks, strategy, chunk_size)
        for static, new in zip(self._static_tensors, (*tasks.support, *tasks.query)):
            static.copy_(new, non_blocking=True)
        self._graph.replay()
        # the next replay overwrites the outputs: hand out copies
        return torch.utils._pytree.tree_map(torch.clone, self._outputs)

    def _capture(self, fn, meta, tasks, strategy, chunk_size):
        static = type(tasks)(tuple(t.clone() for t in tasks.support), tuple(t.clone() for t in tasks.query))
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(WARMUP_STEPS):
                gradient_sum(fn, meta, static, strategy, chunk_size)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            outputs = gradient_sum(fn, meta, static, strategy, chunk_size)
        self._graph, self._outputs = graph, outputs
        self._static_tensors = (*static.support, *static.query)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__
