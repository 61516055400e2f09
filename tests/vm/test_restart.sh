#!/usr/bin/env bash
# e2e.restart_adopt on the kernel backend: daemon restarts (SIGTERM, SIGKILL)
# adopt the running kernel interfaces; the sessions, their counters and a
# TCP connection survive.
exec bash "$(dirname "$0")/vm_run.sh" --name restart --timeout 900 --env WGM_E2E_BACKEND=kernel -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_restart_adopt.sh"
