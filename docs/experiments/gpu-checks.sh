#!/usr/bin/env bash
# Every GPU check of the engine in one short run (issue 16); about 5-8 minutes on one GPU.
# Usage: docs/experiments/gpu-checks.sh [OUTDIR]    (default docs/results/gpu)
# Needs: a CUDA build of torch; `higher` for its baseline row (pip install -e ".[bench]").
# Writes OUTDIR/*.json; a check that fails is recorded and the others still run.
set -uo pipefail
out=${1:-docs/results/gpu}; mkdir -p "$out"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$out/checks.log"; }
check() {  # name timeout command...: run, keep stdout as OUTDIR/name.json, log the outcome
  local name=$1 limit=$2; shift 2
  log "$name: $*"
  if timeout "$limit" "$@" > "$out/$name.json" 2> "$out/$name.err"; then log "$name: ok"
  else log "$name: FAILED ($?), see $name.err"; fi
}
gpus=$(python -c "import torch; print(torch.cuda.device_count())")
[ "$gpus" -ge 1 ] || { echo "no CUDA GPU here"; exit 2; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpus.csv" 2>&1
export OMP_NUM_THREADS=4

# 1. Throughput next to higher and a plain loop: eager vmap (full fp32), + TF32, + CUDA graph, + torch.compile.
#    Targets (issue 16): batch 32, 1 step, 2nd order >= 15x higher's tasks/s (aim 70x).
check bench-engine 420 python -m workbench bench engine --device cuda --iterations 20 \
  --settings 5w1s-1step-b32-2nd,5w1s-5step-b32-2nd --json

# 2. Training runs with each speed setting finish, and a fallback says so in the records.
#    Omniglot conv net on the built-in glyphs, 5-way 1-shot, meta-batch 32, vmap.
train() {  # name flags...
  local name=$1; shift
  check "train-$name" 240 python -m workbench train --domain omniglot --algo maml --way 5 --shot 1 --query 15 \
    --inner-steps 1 --inner-lr 0.4 --meta-batch 32 --iterations 30 --val-every 15 --batching vmap \
    --device cuda --jsonl-file "$out/train-$name.jsonl" --json "$@"
  grep -h 'runs eager' "$out/train-$name.jsonl" >> "$out/fallbacks.log" || true
}
train tf32
train no-tf32 --no-tf32
train cuda-graph --cuda-graph
train compile --compile

# 3. Engine tests on the GPU machine (CPU collectives, NCCL refusal without GPUs is skipped here).
check pytest-meta 300 python -m pytest -q tests/meta -x -p no:cacheprovider

# 4. Two GPUs: torchrun with NCCL (one GPU per process) and the scaling of the engine.
if [ "$gpus" -ge 2 ]; then
  check torchrun-2gpu 300 torchrun --standalone --nproc_per_node=2 -m workbench train --domain omniglot --algo maml \
    --way 5 --shot 1 --query 15 --inner-steps 1 --inner-lr 0.4 --meta-batch 32 --iterations 30 --val-every 15 \
    --batching vmap --device cuda --backend nccl --out "$out/torchrun-2gpu" --json
  check bench-world 420 python -m workbench bench engine --device cuda --world-size 1 2 --impls workbench-vmap \
    --settings 5w1s-1step-b32-2nd --iterations 20 --json
else
  log "torchrun-2gpu, bench-world: skipped (one GPU)"
fi
log "done; copy $out into docs/results/ and fill the GPU rows of docs/RESULTS.md"
