#!/usr/bin/env bash
# test_mesh.sh with three nodes joining node 0 at the same moment: still
# exactly one link per pair and transport.
exec "$(dirname "$0")/test_mesh.sh" concurrent
