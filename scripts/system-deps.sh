#!/usr/bin/env bash
# Debian/Ubuntu packages ccdocs needs beside its Python dependencies.
#   runtime: a CJK font for the PDF output (Typst finds it itself), Graphviz for the org chart,
#            poppler's pdftotext for reading PDFs in check-docs (pypdf alone is ten times slower)
#   test:    the readers the tests open documents with (LibreOffice Writer and Calc) and a browser
# Usage: scripts/system-deps.sh runtime|test   (installs what is missing; needs root or sudo)
set -euo pipefail
runtime=(fonts-noto-cjk graphviz poppler-utils)
test=(libreoffice-writer-nogui libreoffice-calc-nogui chromium)
case "${1:-runtime}" in
  runtime) wanted=("${runtime[@]}") ;;
  test) wanted=("${runtime[@]}" "${test[@]}") ;;
  *) echo "usage: $0 runtime|test" >&2; exit 2 ;;
esac
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "ccdocs: please install: ${missing[*]} (or their equivalents on your system)" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "ccdocs: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
