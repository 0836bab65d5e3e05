#!/usr/bin/env bash
# The melody model and its evaluation, end to end (2-core CPU: about 45 minutes of training,
# five minutes for the evaluations). OUT holds every checkpoint and JSON document.
#   docs/experiments/melody.sh OUT
set -euo pipefail
out=${1:?usage: melody.sh OUT}
mkdir -p "$out"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

# the built-in corpus (O'Neill's + Ryan's, parsed once into the cache)
workbench melody corpus --json > "$out/corpus.json"
# held-out real tunes the models never train on: Aird's Airs (1782-1803) as a folder of styles
workbench melody corpus --collections airds --export-styles "$out/airds" --json > "$out/airds.json"

# the shipped checkpoints: pretrain, meta-train from it, then the baseline resumed to the same total iterations
workbench train --domain melody --preset pretrained --out "$out/pre1600.safetensors" --jsonl > "$out/train-pretrained.jsonl"
cp "$out/pre1600.safetensors" "$out/melody.pretrained.safetensors"
workbench train --domain melody --preset default --init-from "$out/pre1600.safetensors" --out "$out/melody.safetensors" \
    --jsonl > "$out/train-meta.jsonl" &
workbench train --domain melody --resume "$out/melody.pretrained.safetensors" --iterations 3200 \
    --jsonl > "$out/train-pretrained-3200.jsonl" &
wait

# every row side by side, on the corpus' held-out test tunes and on Aird's
workbench eval melody --checkpoint "$out/melody.safetensors" --pretrained "$out/melody.pretrained.safetensors" \
    --tasks 40 --json > "$out/eval-melody-corpus.json"
workbench eval melody --checkpoint "$out/melody.safetensors" --pretrained "$out/melody.pretrained.safetensors" \
    --data "$out/airds" --tasks 40 --json > "$out/eval-melody-airds.json"
workbench bench adapt --domains melody --json > "$out/bench-adapt-melody.json"
