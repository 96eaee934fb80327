#!/usr/bin/env bash
# Prints the exported summary workbook to PDF with LibreOffice, as a person
# would, and checks the pages: A3 landscape, the header on every page, the
# last column on every page,
# Japanese text present (no tofu), nothing cut from the last column.
# Pass a directory to keep the PDF and PNG pages for looking at.
set -euo pipefail
cd "$(dirname "$0")/.."
keep="${1:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin=target/debug/shinchoku
[ -x "$bin" ] || cargo build -q -p shinchoku-cli
"$bin" --db "$work/p.db" init --demo >/dev/null
"$bin" --db "$work/p.db" export "$work/summary.xlsx" >/dev/null
soffice -env:UserInstallation="file://$work/lo" --headless --convert-to pdf --outdir "$work" "$work/summary.xlsx" >/dev/null 2>&1
pdf="$work/summary.pdf"
[ -s "$pdf" ] || { echo "print-check: LibreOffice made no PDF" >&2; exit 1; }
fail() { echo "print-check: $*" >&2; exit 1; }
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
size=$(pdfinfo -f 1 -l 1 "$pdf" | awk '/^Page +1 size:/ {print $4, $6}')
read -r w h <<<"$size"
# A3 landscape is 1190.55 x 841.89 pt.
awk -v w="$w" -v h="$h" 'BEGIN { exit !(w > 1180 && w < 1200 && h > 835 && h < 850) }' || fail "page 1 is $w x $h pt, not A3 landscape"
text="$work/summary.txt"
pdftotext -layout "$pdf" "$text"
first_sheet_pages=0
for p in $(seq 1 "$pages"); do
    pdftotext -f "$p" -l "$p" "$pdf" "$work/page.txt"
    if grep -q "スマートシティに取組む市町村数\|職員研修事業\|事業番号" "$work/page.txt" && grep -q "事業番号" "$work/page.txt"; then
        first_sheet_pages=$((first_sheet_pages + 1))
        grep -q "取組状況" "$work/page.txt" || fail "page $p: the last column (取組状況) is cut"
    fi
done
[ "$first_sheet_pages" -ge 2 ] || fail "the 取組一覧 sheet printed on $first_sheet_pages pages; expected the header repeated on at least 2"
for must in "令和5年度関連事業 取組一覧" "※R6.3.31時点" "県及び市町村の行政手続のオンライン利用率" "48.2%" "64,169" "40百万枚" "○ (達成)" "△ (一部達成)" "※再掲:No4"; do
    grep -q -- "$must" "$text" || fail "'$must' not found in the printed pages"
done
pdffonts "$pdf" | grep -qi "cjk\|gothic\|ipa" || fail "no Japanese font embedded (tofu?)"

# A department's entry workbook (記入用ファイル): A3 landscape, the header and the last
# column on every page of 記入, the guide printed, the hidden metadata sheet not printed.
"$bin" --db "$work/p.db" templates "$work/t" --dept 総務部 >/dev/null 2>&1
cp "$work/t/令和5年度_総務部.xlsx" "$work/entry.xlsx"
soffice -env:UserInstallation="file://$work/lo" --headless --convert-to pdf --outdir "$work" "$work/entry.xlsx" >/dev/null 2>&1
epdf="$work/entry.pdf"
[ -s "$epdf" ] || fail "LibreOffice made no PDF of the entry workbook"
epages=$(pdfinfo "$epdf" | awk '/^Pages:/ {print $2}')
read -r w h <<<"$(pdfinfo -f 1 -l 1 "$epdf" | awk '/^Page +1 size:/ {print $4, $6}')"
awk -v w="$w" -v h="$h" 'BEGIN { exit !(w > 1180 && w < 1200 && h > 835 && h < 850) }' || fail "entry page 1 is $w x $h pt, not A3 landscape"
entry_pages=0
for p in $(seq 1 "$epages"); do
    pdftotext -f "$p" -l "$p" "$epdf" "$work/page.txt"
    if grep -q "事業番号" "$work/page.txt"; then
        entry_pages=$((entry_pages + 1))
        grep -q "取組状況" "$work/page.txt" || fail "entry page $p: the 取組状況 column is cut"
        grep -q "実績値" "$work/page.txt" || fail "entry page $p: the 実績値 column is cut"
    fi
done
[ "$entry_pages" -ge 1 ] || fail "the 記入 sheet was not printed"
pdftotext "$epdf" "$work/entry.txt"
grep -q "記入要領" "$work/entry.txt" || fail "the 記入要領 sheet was not printed"
grep -q "職員研修事業" "$work/entry.txt" || fail "project 1 is not in 総務部's printed file"
! grep -q "shinchoku-return" "$work/entry.txt" || fail "the hidden metadata sheet was printed"

# The Tokushima project card workbook and the Fukuoka progress report, printed as
# their readers would: A4 portrait, the seed's figures on the pages.
a4_portrait() {
    read -r w h <<<"$(pdfinfo -f 1 -l 1 "$1" | awk '/^Page +1 size:/ {print $4, $6}')"
    awk -v w="$w" -v h="$h" 'BEGIN { exit !(w > 590 && w < 600 && h > 835 && h < 850) }' || fail "$1: page 1 is $w x $h pt, not A4 portrait"
}
"$bin" --db "$work/p.db" --plan 2 card "$work/card.xlsx" >/dev/null
"$bin" --db "$work/p.db" --plan 4 report "$work/report.docx" >/dev/null
soffice -env:UserInstallation="file://$work/lo" --headless --convert-to pdf --outdir "$work" "$work/card.xlsx" "$work/report.docx" >/dev/null 2>&1
for f in card report; do
    [ -s "$work/$f.pdf" ] || fail "LibreOffice made no PDF of $f"
    a4_portrait "$work/$f.pdf"
    pdftotext "$work/$f.pdf" - | tr -d ' \n' >"$work/$f.txt"
done
for must in "公文書の電子化率(電子決裁システム利用率)" "1,800件" "4,824件" "19件(※)" "より使いやすい利用環境へ改善(PDCA)→" "43,624千円" "181,884千円" "22,649千円" "差があります"; do
    grep -q -- "$must" "$work/card.txt" || fail "'$must' not on the printed card"
done
for must in "○フルデジタル県庁" "１県庁行政手続のオンライン化" "［現戦略策定時（Ｒ３年度）の現状、課題］" "877件→Ｒ５．３:5,403件" "○会議資料の閲覧"; do
    grep -q -- "$must" "$work/report.txt" || fail "'$must' not in the printed report"
done
cpages=$(pdfinfo "$work/card.pdf" | awk '/^Pages:/ {print $2}')
rpages=$(pdfinfo "$work/report.pdf" | awk '/^Pages:/ {print $2}')
[ "$rpages" -ge 2 ] || fail "the report printed on $rpages page"
pdftotext -f 2 -l 2 "$work/report.pdf" - | grep -qx "2" || fail "no page number on the report's page 2"

if [ -n "$keep" ]; then
    mkdir -p "$keep"
    cp "$pdf" "$epdf" "$work/card.pdf" "$work/report.pdf" "$keep/"
    pdftoppm -r 60 -png "$pdf" "$keep/page"
    pdftoppm -r 60 -png "$epdf" "$keep/entry"
    pdftoppm -r 60 -png "$work/card.pdf" "$keep/card"
    pdftoppm -r 60 -png "$work/report.pdf" "$keep/report"
fi
echo "print-check: ok ($pages pages, A3 landscape, header on $first_sheet_pages 取組一覧 pages; entry workbook $epages pages, 記入 on $entry_pages; card $cpages and report $rpages pages, A4 portrait)"
