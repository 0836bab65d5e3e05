"""`workbench bench engine --world-size 1 2`: the engine's meta-training throughput on N processes.

Each measurement starts N ranks with torchrun's environment on loopback (gloo
on CPU, NCCL on CUDA); each trains its share of the same meta-batch and the
gradients are all-reduced every step, so rank 0's tasks/s is the job's.
Scaling efficiency = tasks/s on N processes / (N x tasks/s on 1 process).
"""

from __future__ import annotations

import os
import socket
import subprocess


def run_ranks(command: list[str], world_size: int, timeout_s: float = 1800) -> subprocess.CompletedProcess:
    """Run command as ranks 0..N-1 of one job; rank 0's output, the first failing rank's status."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    procs = []
    for rank in range(world_size):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                   LOCAL_WORLD_SIZE=str(world_size), MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        procs.append(subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    outputs = []
    try:
        for proc in procs:
            outputs.append(proc.communicate(timeout=timeout_s))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    failed = next((i for i, p in enumerate(procs) if p.returncode != 0), None)
    code = 0 if failed is None else procs[failed].returncode
    stderr = outputs[failed if failed is not None else 0][1]
    return subprocess.CompletedProcess(command, code, outputs[0][0], stderr)


def measure_world_sizes(names, impls, sizes, device: str, iterations: int, run_worker) -> list[dict]:
    """One record per (setting, impl, world size), with the efficiency against 1 process."""
    results = []
    for name in names:
        for impl in impls:
            single = None
            for size in sizes:
                job = {"setting": name, "impl": impl, "device": device, "iterations": iterations, "world_size": size}
                record = run_worker(job)
                record.update(world_size=size, threads_per_process=os.environ.get("OMP_NUM_THREADS", "default"))
                if size == 1 and "tasks_per_s" in record:
                    single = record["tasks_per_s"]
                if single and "tasks_per_s" in record:
                    record["scaling_efficiency"] = round(record["tasks_per_s"] / (size * single), 3)
                results.append(record)
    return results
