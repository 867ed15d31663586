"""Drives headless Chromium over WebDriver (plain HTTP, standard library only)
against the monitoring example's dashboard. Usage: browser.py EXAMPLE SHOT.PNG
"""
import base64
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

EXAMPLE, SHOT = sys.argv[1], sys.argv[2]
INJECT_AFTER = 12  # seconds into the linger: the first crash's highlight is over
WITHIN = 1.0       # the page must show the injected failure this fast

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,2400",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}").get("value")


def fail(message):
    print("BROWSER CHECK FAILED:", message)
    sys.exit(1)


lines = queue.Queue()
example = subprocess.Popen(
    [EXAMPLE, "--dashboard", "127.0.0.1:0", "--linger", "60",
     "--inject-panic-after", str(INJECT_AFTER)],
    stdout=subprocess.PIPE, text=True, bufsize=1)


def pump():
    for line in example.stdout:
        lines.put((time.monotonic(), line.rstrip("\n")))
    lines.put((time.monotonic(), None))


threading.Thread(target=pump, daemon=True).start()


def wait_line(pattern, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            at, line = lines.get(timeout=0.05)
        except queue.Empty:
            continue
        if line is None:
            fail("the example exited early")
        print("  example:", line)
        match = re.search(pattern, line)
        if match:
            return at, match
    fail(f"no line matching {pattern!r} within {timeout}s")


driver = None
profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
try:
    _, match = wait_line(r"dashboard on (http://127\.0\.0\.1:\d+/)", 120)
    url = match.group(1)
    print("dashboard at", url)
    port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            call("GET", base + "/status")
            break
        except OSError:
            time.sleep(0.1)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    session = call("POST", base + "/session", {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": chromium, "args": FLAGS + [f"--user-data-dir={profile}"]},
    }}})["sessionId"]
    s = f"{base}/session/{session}"
    call("POST", s + "/url", {"url": url})

    read = """
      const card = document.querySelector('[data-component="driver"]');
      if (!card) return null;
      const svg = card.querySelector('svg.graph');
      return {failed: card.dataset.failed, restarts: Number(card.dataset.restarts),
              edges: Number(card.dataset.edgesTaken), state: card.dataset.state,
              svg: !!svg, svgStates: svg ? svg.querySelectorAll('[data-state]').length : 0,
              badge: card.querySelector('.state').textContent,
              live: document.getElementById('conn-text').textContent};
    """

    def driver_card():
        return call("POST", s + "/execute/sync", {"script": read, "args": []})

    wait_line(r"== Running until", 120)
    # Before the injection: the first (scenario) crash is older than the
    # highlight window by now, so the driver must read as healthy.
    deadline = time.monotonic() + INJECT_AFTER - 1
    before = driver_card()
    while (before is None or before["failed"] != "false") and time.monotonic() < deadline:
        time.sleep(0.1)
        before = driver_card()
    print("before:", before)
    if before is None or before["failed"] != "false" or not before["svg"]:
        fail(f"the driver card before the injection: {before}")

    injected_at, _ = wait_line(r"\[inject\] driver panic injected", INJECT_AFTER + 30)
    seen = None
    while time.monotonic() - injected_at < 5:
        card = driver_card()
        if (card and card["failed"] == "true" and card["restarts"] > before["restarts"]
                and card["edges"] > before["edges"] and card["svg"]):
            seen = time.monotonic() - injected_at
            break
        time.sleep(0.05)
    after = driver_card()
    print("after:", after, "seen after", seen, "s")
    png = call("GET", s + "/screenshot")
    os.makedirs(os.path.dirname(SHOT) or ".", exist_ok=True)
    with open(SHOT, "wb") as out:
        out.write(base64.b64decode(png))
    print("screenshot:", SHOT)
    if seen is None:
        fail(f"the page never showed the injected failure: {after}")
    if seen > WITHIN:
        fail(f"the page showed the injected failure only after {seen:.2f}s")
    if after["svgStates"] < 5:
        fail(f"the driver's SVG graph lacks its states: {after}")
    call("DELETE", s)
    # Ctrl-C ends the linger; the example then stops in order and exits 0.
    example.send_signal(signal.SIGINT)
    code = example.wait(timeout=60)
    while True:
        try:
            _, line = lines.get(timeout=1)
        except queue.Empty:
            break
        if line is None:
            break
        print("  example:", line)
    if code != 0:
        fail(f"the example exited with {code}")
    print(f"browser check passed: failure shown {seen:.2f}s after the injection")
finally:
    if driver:
        driver.terminate()
        driver.wait(timeout=10)
    if example.poll() is None:
        example.kill()
    shutil.rmtree(profile, ignore_errors=True)
