#!/usr/bin/env bash
# A PDF's pages as PNG images, to look at a rendered review (diacritics, layout) as a reader
# would: OUTDIR/page-1.png, page-2.png... at 100 dpi (pass a third argument for another).
# Needs pdftoppm (Debian: poppler-utils).
# Usage: scripts/pdf-pages.sh FILE.pdf OUTDIR [DPI]
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 FILE.pdf OUTDIR [DPI]" >&2
  exit 2
fi
pdf=$1
out=$2
dpi=${3:-100}
command -v pdftoppm >/dev/null || { echo "pdftoppm not found: apt-get install poppler-utils" >&2; exit 1; }
[ -f "$pdf" ] || { echo "$pdf: no such file" >&2; exit 1; }
mkdir -p "$out"
pdftoppm -png -r "$dpi" "$pdf" "$out/page"
# pdftoppm pads the numbers to the page count's width (page-01.png); strip the padding.
for f in "$out"/page-*.png; do
  n=${f##*/page-}
  n=${n%.png}
  m=$((10#$n))
  [ "$n" = "$m" ] || mv "$f" "$out/page-$m.png"
done
ls "$out"/page-*.png
