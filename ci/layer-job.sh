#!/usr/bin/env bash
# The long from-source LLVM layer build as a background job that survives the shell (and the checkout)
# that started it: `build --layer source` at the lowest CPU and I/O priority, its cache, tools venv, work
# folder and log under $MLIR_RELEASE_CACHE (default ~/.cache/mlir-release), never in the checkout. Killed
# and started again, it resumes: the layer's stable work folder keeps ninja's state for the same key and
# sccache answers for every unit already compiled.
#   ci/layer-job.sh start [SOURCE] [-- extra build flags]   SOURCE defaults to debian:23.1.1
#     MLIR_RELEASE_LAYER_NICE=-10 ci/layer-job.sh start   runs it ahead of other work instead (root only)
#   ci/layer-job.sh status      running or not, ninja's edges done/total, rate, estimate, log path
#   ci/layer-job.sh stop        ends the job (ninja stops; a later start resumes)
# Exit status: 0 ok; 1 status of a job that is not running (finished, failed or never started); 2 usage.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cache=${MLIR_RELEASE_CACHE:-$HOME/.cache/mlir-release}
job=$cache/layer-job
mkdir -p "$job"
pidfile=$job/pid log=$job/build.log

running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-status}" in
  start)
    shift || true
    source_spec=debian:23.1.1
    if [[ $# -gt 0 && $1 != -- ]]; then source_spec=$1; shift; fi
    [[ ${1:-} == -- ]] && shift
    if running; then echo "layer job already running (pid $(cat "$pidfile")); log: $log"; exit 0; fi
    date -u +%s > "$job/started"
    echo "$source_spec" > "$job/source"
    # setsid: its own session, so closing the starting shell does not end it.
    # /usr/bin/time -v: CPU seconds and the peak RSS of the largest process (a link) when the run ends.
    timer=()
    [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v -o "$job/time.txt")
    # Priority: MLIR_RELEASE_LAYER_NICE (default 19, the lowest). Under the kernel's autogroup scheduling
    # (sched_autogroup_enabled=1) a new session is its own group that gets a fair share against every
    # other session whatever its processes' nice is, so the group's nice is set too (/proc/self/autogroup).
    prio=${MLIR_RELEASE_LAYER_NICE:-19}
    [[ $prio =~ ^-?[0-9]+$ ]] || { echo "MLIR_RELEASE_LAYER_NICE=$prio: not a nice value (-20..19)" >&2; exit 2; }
    io=(-c 3); [[ $prio -lt 10 ]] && io=(-c 2 -n 4)
    # shellcheck disable=SC2016  # the single-quoted program is expanded by the inner bash, with its own $1
    MLIR_RELEASE_CACHE=$cache MLIR_RELEASE_TOOLS=$cache/tools setsid nohup bash -c \
      'echo "$1" > /proc/self/autogroup 2>/dev/null || true; p=$1; shift; exec nice -n "$p" "$@"' _ "$prio" ionice "${io[@]}" "${timer[@]}" \
      node "$ROOT/bin/mlir-release.mjs" build --source "$source_spec" --layer source --python 3.12 --no-dev \
      --out "$job/dist" --work "$cache/work" "$@" >> "$log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    # The compiles run in the sccache server, which daemonizes into a session (an autogroup) of its own
    # at nice 0; a watcher gives it the job's priority for as long as the job runs.
    setsid nohup bash "$0" keep-priority "$prio" "$!" > /dev/null 2>&1 < /dev/null &
    echo "layer job started (pid $!, source $source_spec); progress: ci/layer-job.sh status; log: $log"
    ;;
  status)
    state=stopped
    running && state="running (pid $(cat "$pidfile"))"
    echo "layer job: $state; source: $(cat "$job/source" 2>/dev/null || echo '?'); log: $log"
    build=$cache/layers/.work/linux-x86_64/build
    if [[ -f $log ]]; then
      # The build's progress line ("build install-distribution  NN%"), the last one this job printed.
      last=$(grep -aoE 'build install[-a-z]* +[0-9]+%' "$log" | tail -n 1 || true)
      echo "last progress: ${last:-none yet}"
      tail -n 3 "$log" | sed 's/^/  | /'
    fi
    if [[ -f $build/.ninja_log ]]; then
      # .ninja_log: one line per finished edge (start ms, end ms, ...) over every run of this key.
      read -r finished edge_seconds < <(awk '!/^#/ { n++; s += ($2 - $1) / 1000 } END { printf "%d %.0f\n", n, s }' "$build/.ninja_log")
      echo "edges finished (all runs): $finished, edge-seconds: $edge_seconds"
      if [[ -f $build/build.ninja ]] && command -v ninja >/dev/null; then
        # What is left, read-only: the object files the install target needs that are not on disk yet.
        # Never `ninja -n` here: a dry run "finishes" each pending edge and deletes its depfile, so a
        # running compile loses its .o.d and sccache fails it ("failed to zip up compiler outputs").
        target=install-distribution
        grep -q '^LLVM_DISTRIBUTION_COMPONENTS:' "$build/CMakeCache.txt" 2>/dev/null || target=install
        total=0 missing=0
        while IFS= read -r obj; do
          total=$((total + 1))
          [[ -e $build/$obj ]] || missing=$((missing + 1))
        done < <(cd "$build" && { ninja -t inputs "$target" 2>/dev/null | grep '\.o$' || true; })
        elapsed=$(( $(date -u +%s) - $(cat "$job/started" 2>/dev/null || date -u +%s) ))
        echo "object files left: ${missing:-?} of ${total:-?}; this run: ${elapsed}s elapsed"
        if [[ ${missing:-0} -gt 0 ]]; then
          # Mean seconds per compiled object so far (.ninja_log lines whose output is an .o).
          awk -v m="$missing" '!/^#/ && $4 ~ /\.o$/ { n++; s += ($2 - $1) / 1000 } END { if (n) printf "estimate: %.0f compile-seconds left at %.1f s per object so far (/ parallel jobs for wall time; links and installs come after)\n", m * s / n, s / n }' "$build/.ninja_log"
        fi
      fi
    fi
    # Disk: the build folder and the installed layer of this job's key (the peak is the build folder's).
    du -sh "$build" "$cache"/layers/linux-* 2>/dev/null | sed 's/^/disk: /' || true
    if [[ -f $job/time.txt ]]; then
      grep -E 'User time|System time|Elapsed|Maximum resident' "$job/time.txt" | sed 's/^\s*/last finished run: /'
    fi
    running || exit 1
    ;;
  keep-priority)
    # Internal (start runs it): the sccache server of this cache gets the job's autogroup nice.
    prio=${2:-} pid=${3:-}
    [[ $prio =~ ^-?[0-9]+$ && $pid =~ ^[0-9]+$ ]] || { echo "usage: ci/layer-job.sh keep-priority <nice> <pid> (internal)" >&2; exit 2; }
    while kill -0 "$pid" 2>/dev/null; do
      for p in $(pgrep -xf "$cache/tools/bin/sccache" || true); do echo "$prio" > "/proc/$p/autogroup" 2>/dev/null || true; done
      sleep 20
    done
    ;;
  stop)
    if running; then
      pid=$(cat "$pidfile")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      echo "layer job $pid stopped; 'ci/layer-job.sh start' resumes it"
    else
      echo "layer job not running"
    fi
    ;;
  *) echo "usage: ci/layer-job.sh start [SOURCE] [-- build flags] | status | stop" >&2; exit 2 ;;
esac
