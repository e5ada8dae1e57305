#!/bin/bash
# Submits a villagesim run to Slurm as an array of K shard tasks and a merge
# job that starts once all K have succeeded; prints the two job ids.
#
#   slurm-submit.sh SCENARIO K OUTDIR [RUN OPTIONS...]
#   slurm-submit.sh scenarios/wuxing-2018.toml 16 /scratch/$USER/wuxing --runs 100000
#
# RUN OPTIONS (--runs, --seed, --central) go to every shard's `villagesim run`.
# Memory, time limit, partition, account: edit the #SBATCH lines of
# slurm-shard.sbatch and slurm-merge.sbatch beside this script, or set
# SBATCH_MEM_PER_NODE, SBATCH_TIMELIMIT, SBATCH_PARTITION, SBATCH_ACCOUNT,
# which override them for both jobs.
set -euo pipefail
if [ $# -lt 3 ] || ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 SCENARIO K OUTDIR [RUN OPTIONS...]  (K: the number of shards, 1 or more)" >&2
    exit 2
fi
scenario=$1 shards=$2 out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/logs"
array=$(sbatch --parsable --array="0-$((shards - 1))" --output="$out/logs/shard-%a.out" \
    "$here/slurm-shard.sbatch" "$scenario" "$shards" "$out" "$@")
array=${array%%;*} # --parsable prints JOBID or JOBID;CLUSTER
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$out/logs/merge.out" "$here/slurm-merge.sbatch" "$shards" "$out")
merge=${merge%%;*}
echo "$array $merge"
