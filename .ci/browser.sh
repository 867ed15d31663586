#!/usr/bin/env bash
# The dashboard in a real browser: starts the monitoring example with the
# dashboard on loopback, opens the page in headless Chromium (driven over
# WebDriver by .ci/browser.py), injects a driver panic, and checks from the
# rendered DOM that within a second the driver shows as failed, its restart
# count and its taken-edge count rose, and its SVG graph is there. Saves a
# screenshot under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
  || ! command -v python3 >/dev/null; then
  apt-get update
  apt-get install -y chromium chromium-driver python3
fi
cargo build --example monitoring --features dashboard
python3 .ci/browser.py target/debug/examples/monitoring target/dashboard-browser.png
