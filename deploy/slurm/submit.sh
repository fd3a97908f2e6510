#!/bin/bash
# Submits the sharded sweep and its merge: the merge waits for every array task (afterany).
#   RESULTS=/shared/scale-bench HISTORY=/shared/scale-bench/history deploy/slurm/submit.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
array=$(sbatch --parsable "$here/sweep.sbatch")
array="${array%%;*}"
export SWEEP_ID="sweep-${array}"
merge=$(sbatch --parsable --dependency="afterany:${array}" --export="ALL,SWEEP_ID=${SWEEP_ID}" "$here/merge.sbatch")
echo "sweep array job ${array}, merge job ${merge}: results in ${RESULTS:-$PWD/scale-bench-results}/merged/${SWEEP_ID}/"
