#!/usr/bin/env bash
# The melody model and its evaluation, end to end (2-core CPU: about 45 minutes of training,
# ten minutes for the evaluations). OUT holds every checkpoint and JSON document.
#   docs/experiments/melody.sh OUT
set -euo pipefail
out=${1:?usage: melody.sh OUT}
mkdir -p "$out"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

# the built-in corpus (O'Neill's + Ryan's, parsed once into the cache)
workbench melody corpus --json > "$out/corpus.json"
# held-out real tunes the models never train on: Aird's Airs (1782-1803) as a folder of styles
workbench melody corpus --collections airds --export-styles "$out/airds" --json > "$out/airds.json"

# the shipped checkpoints: pretrain, meta-train from it (second-order Meta-SGD, 2400 iterations), then the
# baseline resumed to 3200 iterations: its validation loss is lowest there (1.954; 1.967 at 4000, the
# meta model's total; docs/melody.md)
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
# the same on another draw of 40 tasks (is the margin more than the luck of one draw?)
workbench eval melody --checkpoint "$out/melody.safetensors" --pretrained "$out/melody.pretrained.safetensors" \
    --tasks 40 --seed 1 --json > "$out/eval-melody-corpus-seed1.json"
workbench eval melody --checkpoint "$out/melody.safetensors" --pretrained "$out/melody.pretrained.safetensors" \
    --data "$out/airds" --tasks 40 --seed 1 --json > "$out/eval-melody-airds-seed1.json"
workbench bench adapt --domains melody --json > "$out/bench-adapt-melody.json"
