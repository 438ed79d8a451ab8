#!/usr/bin/env bash
# Install orasx and run the main job: push a file to an OCI image layout and pull it back.
source "$(dirname "$0")/bootstrap.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "hello world" > artifact.txt
oras push --oci-layout ./layout:v1 artifact.txt
rm artifact.txt
oras pull --oci-layout ./layout:v1 -o ./pulled
cat ./pulled/artifact.txt
