#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, not committed) from the repository's own inputs, then adds the
# crash inputs kept as regression tests. Run from anywhere; see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/assessment fuzz/corpus/pack fuzz/corpus/cel fuzz/corpus/report fuzz/corpus/expr
cp examples/*.json tests/fixtures/assessments/*.json fuzz/corpus/assessment/
cp examples/*.json fuzz/corpus/cel/
# pack: the first byte picks the chapter (in pack.toml order, which is name order) and the file replaced.
i=0
for name in $(ls rules/secnumcloud-3.2 | grep -E '^[0-9]' | LC_ALL=C sort) facts.toml pack.toml; do
    { printf "\\$(printf '%03o' "$i")"; cat "rules/secnumcloud-3.2/$name"; } > "fuzz/corpus/pack/$name"
    i=$((i + 1))
done
# report: any bytes; a few fixed patterns to start from.
for n in 0 1 2 3; do head -c $((64 * (n + 1))) /dev/zero | tr '\0' "\\$(printf '%03o' $((n * 60 + 1)))" > "fuzz/corpus/report/seed-$n"; done
# expr: every check and condition of the shipped pack, one per file.
n=0
grep -h '^expr = "' rules/secnumcloud-3.2/*.toml | sed -e 's/^expr = "//' -e 's/"$//' -e 's/\\"/"/g' |
    while IFS= read -r line; do n=$((n + 1)); printf '%s' "$line" > "fuzz/corpus/expr/pack-$n"; done
for target in assessment pack cel report expr; do
    if [ -d "tests/fixtures/fuzz/$target" ]; then
        cp tests/fixtures/fuzz/"$target"/* "fuzz/corpus/$target/" 2>/dev/null || true
    fi
done
echo "corpora seeded under fuzz/corpus/"
