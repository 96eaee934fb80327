#!/usr/bin/env bash
# Benchmarks of whole CLI processes (release build): import and export of the
# Fukushima plan, and of the synthetic plan of N projects (default 2,000); the
# department templates of each, and the merge of filled returns (Fukushima: all
# 6 departments; synthetic: 40 departments + 10 repeated files = 50 returns),
# the 照会 board (round status) with those returns received, and one field of
# 年度入力 saved (`dev save-field`, as the app saves it).
# A merge run starts from a fresh copy of the database (the copy is timed too).
# Prints wall time (best of 5) and peak memory (max RSS) of each.
# For each size: 200 chart PNGs (the first 200 KPIs), and all charts and the
# chart book when the plan has at most 400 KPIs.
#   bench/run.sh                 # Fukushima + N=200, 2,000
#   bench/run.sh 200 2000 20000  # with the whole country's worth
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked -q -p shinchoku-cli
bin="$PWD/target/release/shinchoku"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(200 2000)

# best-of-5 wall seconds and the largest max RSS (MB) of a command
measure() {
    local best="" rss=0
    for _ in 1 2 3 4 5; do
        "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
        local t0=$EPOCHREALTIME
        /usr/bin/time -f "%M" -o "$work/t" "$@" >/dev/null 2>/dev/null
        local t1=$EPOCHREALTIME
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
        read -r k <"$work/t"
        if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; fi
        [ "$k" -gt "$rss" ] && rss=$k
    done
    printf "%8.3f s %8.1f MB" "$best" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
}

# The same for a command that must be refused (exit 2): hostile files.
measure_refusal() {
    local best="" rss=0
    for _ in 1 2 3; do
        local t0=$EPOCHREALTIME code=0
        /usr/bin/time -f "%M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || code=$?
        local t1=$EPOCHREALTIME
        [ "$code" -eq 2 ] || { echo "expected exit 2, got $code"; cat "$work/err"; exit 1; }
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
        k=$(grep -E '^[0-9]+$' "$work/t" | tail -1)
        if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; fi
        [ "$k" -gt "$rss" ] && rss=$k
    done
    printf "%8.3f s %8.1f MB" "$best" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
}

printf "%-34s %10s %11s\n" "case" "time" "peak RSS"
ref=tests/data/torikumi-ichiran-r5.xlsx
printf "%-34s %s\n" "import Fukushima (52 projects)" "$(measure "$bin" --db "$work/f.db" import "$ref")"
printf "%-34s %s\n" "export Fukushima" "$(measure "$bin" --db "$work/f.db" export "$work/f.xlsx")"
printf "%-34s %s\n" "charts Fukushima (19 PNG, 300 dpi)" "$(measure "$bin" --db "$work/f.db" charts "$work/fc")"
printf "%-34s %s\n" "charts Fukushima (19 SVG)" "$(measure "$bin" --db "$work/f.db" charts "$work/fs" --format svg)"
printf "%-34s %s\n" "chart-book Fukushima (PDF)" "$(measure "$bin" --db "$work/f.db" chart-book "$work/f.pdf")"
printf "%-34s %s\n" "templates Fukushima (6 depts)" "$(measure "$bin" --db "$work/f.db" templates "$work/ft" --overwrite)"
"$bin" --db "$work/f.db" dev sample-returns "$work/fr" >/dev/null
merge_fresh() { # DB RETURN-DIR
    cp "$1" "$1.run" && rm -f "$1.run-wal" "$1.run-shm"
    "$bin" --db "$1.run" merge "$2"/*.xlsx
}
add_repeats() { # DIR: the first 10 returns sent again under other names (50 files for 40 departments)
    local i=0 f
    for f in "$1"/*.xlsx; do
        i=$((i + 1))
        [ $i -le 10 ] && cp "$f" "$1/repeat$i.xlsx"
    done
    return 0
}
printf "%-34s %s\n" "merge Fukushima (6 returns)" "$(measure bash -c "$(declare -f merge_fresh); bin=$bin; merge_fresh $work/f.db $work/fr")"
for n in "${sizes[@]}"; do
    "$bin" dev synth "$n" "$work/s$n.xlsx" >/dev/null
    printf "%-34s %s\n" "import synthetic N=$n" "$(measure "$bin" --db "$work/s$n.db" import "$work/s$n.xlsx")"
    printf "%-34s %s\n" "export synthetic N=$n" "$(measure "$bin" --db "$work/s$n.db" export "$work/o$n.xlsx")"
    # 年度入力: one 取組状況 saved, as the app saves it (whole process, start-up included).
    dept=$("$bin" --db "$work/s$n.db" fields 'project[1].owners' | cut -f2 | cut -d/ -f1)
    fy=$("$bin" --db "$work/s$n.db" fields plan.report_year | cut -f2)
    cp "$work/s$n.db" "$work/e$n.db" && rm -f "$work/e$n.db-wal" "$work/e$n.db-shm"
    # A new text each time (the same text again writes nothing); bash's start is in the time.
    printf "%-34s %s\n" "save one field N=$n" "$(measure bash -c "exec '$bin' --db '$work/e$n.db' dev save-field 'project[1].year[$fy].narrative' \"取組状況 \$EPOCHREALTIME\" --dept '$dept'")"
    kpis=$("$bin" --db "$work/s$n.db" show --json | awk -F': ' '/"kpis"/ && !n++ {gsub(/,/, "", $2); print $2}')
    if [ "$kpis" -ge 200 ]; then
        first200=$(seq 1 200 | sed 's/^/--kpi /' | tr '\n' ' ')
        # shellcheck disable=SC2086
        printf "%-34s %s\n" "charts N=$n (200 PNG, 300 dpi)" "$(measure "$bin" --db "$work/s$n.db" charts "$work/k$n" $first200)"
    fi
    if [ "$kpis" -le 400 ]; then
        printf "%-34s %s\n" "charts N=$n ($kpis PNG, 300 dpi)" "$(measure "$bin" --db "$work/s$n.db" charts "$work/c$n")"
        printf "%-34s %s\n" "chart-book N=$n ($kpis KPIs)" "$(measure "$bin" --db "$work/s$n.db" chart-book "$work/c$n.pdf")"
    fi
    printf "%-34s %s\n" "templates N=$n (all depts)" "$(measure "$bin" --db "$work/s$n.db" templates "$work/t$n" --overwrite)"
    "$bin" --db "$work/s$n.db" dev sample-returns "$work/r$n" >/dev/null
    add_repeats "$work/r$n"
    printf "%-34s %s\n" "merge N=$n ($(ls "$work/r$n" | wc -l) returns)" "$(measure bash -c "$(declare -f merge_fresh); bin=$bin; merge_fresh $work/s$n.db $work/r$n")"
    # 照会: a round open with every department's return (and the repeats) received, then its board.
    cp "$work/s$n.db" "$work/g$n.db" && rm -f "$work/g$n.db-wal" "$work/g$n.db-shm"
    "$bin" --db "$work/g$n.db" round open --due 2099-05-31 >/dev/null
    "$bin" --db "$work/g$n.db" dev sample-returns "$work/q$n" >/dev/null
    add_repeats "$work/q$n"
    "$bin" --db "$work/g$n.db" merge "$work/q$n"/*.xlsx >/dev/null 2>&1
    depts=$("$bin" --db "$work/g$n.db" round status --json | grep -c '"department"')
    printf "%-34s %s\n" "round status N=$n ($depts depts)" "$(measure "$bin" --db "$work/g$n.db" round status --json)"
done

# Hostile files, refused by the limits (the database is the Fukushima one).
"$bin" dev zip-bomb "$work/bomb-space.xlsx" >/dev/null
"$bin" dev zip-bomb "$work/bomb-tags.xlsx" --tags >/dev/null
"$bin" dev many-rows "$work/rows.xlsx" >/dev/null
printf "%-34s %s\n" "refuse zip bomb, 3 GiB of spaces" "$(measure_refusal "$bin" --db "$work/f.db" import "$work/bomb-space.xlsx")"
printf "%-34s %s\n" "refuse zip bomb, 3 GiB of <a/>" "$(measure_refusal "$bin" --db "$work/f.db" import "$work/bomb-tags.xlsx")"
printf "%-34s %s\n" "refuse 1,000,000 rows" "$(measure_refusal "$bin" --db "$work/f.db" import "$work/rows.xlsx")"
