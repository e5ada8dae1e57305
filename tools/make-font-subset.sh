#!/usr/bin/env bash
# Rebuilds assets/fonts/NotoSansSC-villagesim-subset.otf from Debian's
# fonts-noto-cjk (OFL-1.1). Needs: apt-get install fonts-noto-cjk; pip install fonttools.
# Run from the crate root: bash tools/make-font-subset.sh
set -euo pipefail
SRC=${SRC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
OUT=assets/fonts/NotoSansSC-villagesim-subset.otf
TEXT=$(mktemp)
trap 'rm -f "$TEXT"' EXIT

# Level-1 GB2312 hanzi (every byte pair 0xB0A1..0xD7F9 that decodes) plus the
# hanzi of tools/labels-zh.txt, one string, UTF-8.
python3 - "$TEXT" <<'PY'
import sys
chars = set()
for b1 in range(0xB0, 0xD8):
    for b2 in range(0xA1, 0xFF):
        if b1 == 0xD7 and b2 > 0xF9:
            continue
        try:
            chars.add(bytes([b1, b2]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
assert len(chars) == 3755, len(chars)
for line in open("tools/labels-zh.txt", encoding="utf-8"):
    if not line.startswith("#"):
        chars |= {c for c in line if "\u3400" <= c <= "\u9fff"}
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(chars)))
PY

# Font number 2 of the collection is "Noto Sans CJK SC" (0 JP, 1 KR, 2 SC, 3 TC, 4 HK).
# Unicodes: ASCII + Latin-1, General Punctuation, CJK Symbols and Punctuation,
# Halfwidth and Fullwidth Forms.
pyftsubset "$SRC" --font-number=2 \
  --unicodes="U+0020-007E,U+00A0-00FF,U+2000-206F,U+3000-303F,U+FF00-FFEF" \
  --text-file="$TEXT" \
  --layout-features='kern' --no-hinting --name-IDs='*' --name-languages='*' \
  --output-file="$OUT"
ls -l "$OUT"
