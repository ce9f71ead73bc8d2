#!/usr/bin/env bash
# The pages of a Word review as pictures, to look at: DOCX → PDF (LibreOffice) → PNG (poppler).
# Usage: scripts/review-pages.sh REVIEW.docx [OUTDIR]   (OUTDIR defaults to the file's folder)
# Writes OUTDIR/NAME.pdf and OUTDIR/NAME-1.png, NAME-2.png, … at 60 dpi.
# Needs soffice (libreoffice-writer-nogui) and pdftoppm (poppler-utils).
set -euo pipefail
docx=${1:?usage: $0 REVIEW.docx [OUTDIR]}
out=${2:-$(dirname "$docx")}
mkdir -p "$out"
name=$(basename "$docx" .docx)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# A profile of its own, so it runs beside an open LibreOffice or another conversion.
soffice "-env:UserInstallation=file://$profile" --headless --convert-to pdf --outdir "$out" "$docx" >&2
pdftoppm -r 60 -png "$out/$name.pdf" "$out/$name"
ls "$out/$name"-*.png
