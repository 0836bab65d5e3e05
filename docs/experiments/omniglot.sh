#!/usr/bin/env bash
# Omniglot small background sets: meta-train on small1, evaluate on small2's characters that small1 lacks.
# Usage: docs/experiments/omniglot.sh OUTDIR [ITERATIONS_5WAY] [ITERATIONS_20WAY]
# Writes OUTDIR/<setting>-<algo>.safetensors/.json, OUTDIR/train-*.json, OUTDIR/eval-*.json.
set -euo pipefail
out=${1:?output folder}; it5=${2:-400}; it20=${3:-150}
data=${OMNIGLOT:-../shared/datasets/omniglot}
small1=$data/images_background_small1.zip; small2=$data/images_background_small2.zip
mkdir -p "$out"
run() {  # setting way query eval_query iterations meta_batch algo extra-flags...
  local setting=$1 way=$2 query=$3 iterations=$4 batch=$5 algo=$6; shift 6
  local name=$setting-$algo
  [ -f "$out/eval-$name.json" ] && return 0
  workbench train --domain omniglot --data "$small1" --way "$way" --shot 1 --query "$query" \
    --algo "$algo" --iterations "$iterations" --meta-batch "$batch" --batching loop --val-every 100 \
    --out "$out/$name" --json "$@" > "$out/train-$name.json"
  # small2's characters that small1 lacks (its Greek and Latin ones are small1's files: left out by default),
  # and, to show what that overlap did to the numbers, every character of small2 (--keep-seen)
  workbench eval fewshot --checkpoint "$out/$name" --data "$small2" --way "$way" --shot 1 --query 5 \
    --episodes 200 --json > "$out/eval-$name.json"
  workbench eval fewshot --checkpoint "$out/$name" --data "$small2" --way "$way" --shot 1 --query 5 \
    --episodes 200 --keep-seen --json > "$out/eval-$name-all.json"
}
# 5-way 1-shot: MAML's settings (1 step at lr 0.4 in training, 3 at test), meta-batch cut to 8.
for algo in protonet maml fomaml metasgd reptile anil; do
  case $algo in
    reptile) run 5w1s 5 15 "$it5" 8 reptile --inner-steps 5 --inner-lr 0.1 --eval-steps 10 ;;
    protonet) run 5w1s 5 15 "$it5" 8 protonet --inner-steps 0 --inner-lr 0 ;;
    fomaml) run 5w1s 5 15 "$it5" 8 fomaml --first-order --inner-steps 1 --inner-lr 0.4 --eval-steps 3 ;;
    *) run 5w1s 5 15 "$it5" 8 "$algo" --inner-steps 1 --inner-lr 0.4 --eval-steps 3 ;;
  esac
done
# 20-way 1-shot: MAML's settings (5 steps at lr 0.1), meta-batch cut to 4, 5 queries per class.
for algo in protonet maml fomaml metasgd reptile; do
  case $algo in
    reptile) run 20w1s 20 5 "$it20" 4 reptile --inner-steps 5 --inner-lr 0.1 --eval-steps 10 ;;
    protonet) run 20w1s 20 5 "$it20" 4 protonet --inner-steps 0 --inner-lr 0 ;;
    fomaml) run 20w1s 20 5 "$it20" 4 fomaml --first-order --inner-steps 5 --inner-lr 0.1 ;;
    *) run 20w1s 20 5 "$it20" 4 "$algo" --inner-steps 5 --inner-lr 0.1 ;;
  esac
done
