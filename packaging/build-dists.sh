#!/usr/bin/env bash
# Builds the sdist and the wheel (from the sdist) into dist/ and checks what they hold.
source "$(dirname "$0")/common.sh"
timed "build sdist + wheel" build_dists
"$PY" packaging/check_dist.py "$WHEEL" "$SDIST"
echo "built dist/$(basename "$WHEEL") ($(size_of "$WHEEL")), dist/$(basename "$SDIST") ($(size_of "$SDIST"))"
