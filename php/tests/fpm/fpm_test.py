#!/usr/bin/env python3
"""The PHP package where CRMs run it: php-fpm (behind nginx), many requests at once.

Starts its own php-fpm and nginx on loopback ports (as the current user; as root,
php-fpm gets -R), stops them by process id, and checks:

  ffi     the FFI set-ups of php/README.md under php-fpm (FastCGI requests with cgi-fcgi):
          ffi.preload + opcache.preload, ffi.enable=true without preload, and the
          exceptions when FFI is not allowed (naming the setting to change);
  deploy  examples/php/http.php behind nginx: actions as JSON, idempotent retries, 400/404;
  load    CLIENTS concurrent clients, REQUESTS requests over a few tenants with racing
          inputs (replies against auto-closes, duplicate accepts, ticks, retries of an
          old request id), one php-fpm worker killed mid-request, php-fpm restarted once;
          then php/tests/fpm/verify.php checks every tenant against `openlines replay`;
  worker  the same load (three times the requests; the worker killed with SIGKILL,
          later stopped with SIGTERM, each time started again) through nginx to
          examples/php/worker.php --listen, and the same checks.
Each load runs for at least 5 s, so that the one-second timers fire and race the inputs.

usage: fpm_test.py --lib LIBOPENLINES.so --cli OPENLINES [--requests N] [--clients N]
       fpm_test.py --lib ... --cli ... --bench 100,2000,20000 [--bench-requests N]

Prints "ok: ..." / "FAILED: ..." per check and "php-fpm tests: N passed, M failed".
"""
import argparse
import http.client
import json
import os
import pathlib
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
PASSED = 0
FAILED = 0


def check(ok, what, why=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print(f"ok: {what}", flush=True)
    else:
        FAILED += 1
        print(f"FAILED: {what}: {why}", flush=True)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listens(pid, port):
    """Whether process pid has a listening TCP socket on 127.0.0.1:port (from /proc): a
    port another program took between free_port() and our bind is not mistaken for ours."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = pathlib.Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                return True
        except OSError:
            pass
    return False


def wait_port(port, proc, what, timeout=20):
    """Wait until proc listens on port; False if it exited first (e.g. the port was taken)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        if listens(proc.pid, port):
            return True
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout} s")


def start_server(server, spawn, what, attempts=5):
    """spawn() on server.port until it listens (a new free port when it was taken)."""
    for attempt in range(attempts):
        proc = spawn()
        if wait_port(server.port, proc, what):
            return proc
        proc.wait()
        server.port = free_port()
    raise RuntimeError(f"{what} exited at start ({attempts} attempts)")


def user_and_group():
    import grp
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


class Fpm:
    """One php-fpm master with a static pool on a loopback port."""

    def __init__(self, binary, work, name, ini=(), env=None, children=4):
        self.binary, self.work, self.name = binary, work, name
        self.ini, self.env, self.children = list(ini), env or {}, children
        self.port = free_port()
        self.proc = None

    def start(self, restart=False):
        self.proc = start_server(self, self.spawn, f"php-fpm ({self.name}; see {self.work}/{self.name}-fpm.log)",
                                 attempts=1 if restart else 5)  # nginx knows the port

    def spawn(self):
        user, group = user_and_group()
        conf = self.work / f"{self.name}-fpm.conf"
        env_lines = "".join(f"env[{k}] = {v}\n" for k, v in self.env.items())
        conf.write_text(
            "[global]\n"
            f"error_log = {self.work}/{self.name}-fpm.log\n"
            "daemonize = no\n"
            "[app]\n"
            f"user = {user}\ngroup = {group}\n"
            f"listen = 127.0.0.1:{self.port}\n"
            "pm = static\n"
            f"pm.max_children = {self.children}\n"
            "pm.status_path = /fpm-status\n"
            "catch_workers_output = yes\n"
            "clear_env = yes\n"
            f"php_admin_value[error_log] = {self.work}/{self.name}-php.log\n"
            + env_lines)
        cmd = [self.binary, "--nodaemonize", "--fpm-config", str(conf)]
        if os.getuid() == 0:
            cmd.append("--allow-to-run-as-root")
        for setting in self.ini:
            cmd += ["-d", setting]
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=open(self.work / f"{self.name}-fpm.err", "ab"))

    def children_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self, sig=signal.SIGQUIT):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def fcgi(self, script, query=""):
        """A GET of a script straight over FastCGI (cgi-fcgi): the body."""
        env = {"PATH": os.environ.get("PATH", ""), "SCRIPT_FILENAME": str(script),
               "REQUEST_METHOD": "GET", "QUERY_STRING": query, "SCRIPT_NAME": "/" + script.name}
        out = subprocess.run(["cgi-fcgi", "-bind", "-connect", f"127.0.0.1:{self.port}"],
                             env=env, capture_output=True, text=True, timeout=30).stdout
        return re.split(r"\r?\n\r?\n", out, maxsplit=1)[-1]


class Nginx:
    """nginx on a loopback port in front of a FastCGI (php-fpm) or HTTP (worker) backend."""

    def __init__(self, work, state, tenants):
        self.work, self.state, self.tenants = work, state, tenants
        self.port = free_port()
        self.proc = None

    def start(self, fpm_port=None, worker_port=None):
        self.proc = start_server(self, lambda: self.spawn(fpm_port, worker_port),
                                 f"nginx (see {self.work}/nginx/error.log)")

    def spawn(self, fpm_port, worker_port):
        prefix = self.work / "nginx"
        prefix.mkdir(exist_ok=True)
        user, group = user_and_group()
        if worker_port is None:
            backend = (
                "include /etc/nginx/fastcgi_params;\n"
                f"fastcgi_param SCRIPT_FILENAME {REPO}/examples/php/http.php;\n"
                f"fastcgi_param OPENLINES_STATE {self.state};\n"
                f"fastcgi_param OPENLINES_TENANTS {self.tenants};\n"
                f"fastcgi_pass 127.0.0.1:{fpm_port};\n")
            status = ("location = /fpm-status { include /etc/nginx/fastcgi_params;\n"
                      "fastcgi_param SCRIPT_FILENAME /fpm-status;\n"
                      f"fastcgi_pass 127.0.0.1:{fpm_port}; }}\n")
        else:
            backend = f"proxy_pass http://127.0.0.1:{worker_port};\n"
            status = ""
        (prefix / "nginx.conf").write_text(
            (f"user {user} {group};\n" if os.getuid() == 0 else "")
            + "worker_processes 1;\n"
            f"pid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/error.log warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"access_log off;\nclient_body_temp_path {prefix}/body;\n"
            f"fastcgi_temp_path {prefix}/fastcgi;\nproxy_temp_path {prefix}/proxy;\n"
            "keepalive_requests 100000;\n"
            f"server {{ listen 127.0.0.1:{self.port};\n"
            + status
            + "location /tenants/ {\n" + backend + "}\n}\n}\n")
        return subprocess.Popen(
            ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log"),
             "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(prefix / "stderr.log", "ab"))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None


def post(conn_holder, port, path, body, timeout=60):
    """POST JSON; returns (status, decoded body or text). Reconnects on a broken keep-alive."""
    data = json.dumps(body).encode()
    conn = conn_holder.get("conn")
    if conn is None:
        conn = conn_holder["conn"] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, data, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        text = resp.read().decode()
    except (OSError, http.client.HTTPException) as e:
        conn.close()
        conn_holder["conn"] = None
        return None, str(e)
    try:
        return resp.status, json.loads(text)
    except ValueError:
        return resp.status, text


# ---------------------------------------------------------------------------- ffi

def readme_preload(prefix):
    """The php.ini lines of php/README.md for php-fpm with ffi.enable=preload."""
    user, _ = user_and_group()
    return ["ffi.enable=preload", f"ffi.preload={prefix}/include/openlines_ffi.h", "opcache.enable=1",
            f"opcache.preload={REPO}/php/preload.php", f"opcache.preload_user={user}"]


def ffi_tests(args, work, prefix):
    header = prefix / "include" / "openlines_ffi.h"
    lib = prefix / "lib" / "libopenlines.so.0"
    probe = HERE / "probe.php"
    preload = readme_preload(prefix)
    cases = [
        ("ffi.preload + opcache.preload (README ini lines)", preload, {}, True, []),
        ("ffi.enable=true without preload, env[OPENLINES_LIB] in the pool", ["ffi.enable=true"],
         {"OPENLINES_LIB": str(lib)}, True, []),
        ("ffi.enable=true with the README's preload lines (the preloaded scope is used)", ["ffi.enable=true"] + preload[1:],
         {}, True, []),
        ("ffi.preload without opcache.preload: the exception says the package must be preloaded too",
         ["ffi.enable=preload", f"ffi.preload={header}"], {}, False,
         ["ffi.enable=preload", "fpm-fcgi", "opcache.preload=", "preload.php", "ffi.enable=true"]),
        ("opcache.preload without ffi.preload: the exception says the scope was not preloaded",
         ["ffi.enable=preload"] + preload[2:], {"OPENLINES_LIB": str(lib)}, False,
         ["ffi.enable=preload", "not preloaded", "ffi.preload=PREFIX/include/openlines_ffi.h", "ffi.enable=true"]),
        ("ffi.enable=preload (the default) and nothing preloaded: the exception says what to set",
         ["ffi.enable=preload"], {"OPENLINES_LIB": str(lib)}, False,
         ["ffi.enable=preload", "fpm-fcgi", "opcache.preload=", "ffi.preload=", "ffi.enable=true"]),
        ("ffi.enable=false: the exception says FFI is disabled and what to set", ["ffi.enable=false"],
         {"OPENLINES_LIB": str(lib)}, False, ["FFI is disabled", "ffi.enable=preload", "opcache.preload=", "ffi.enable=true"]),
    ]
    for i, (what, ini, env, works, words) in enumerate(cases):
        fpm = Fpm(args.php_fpm, work, f"ffi{i}", ini=ini, env=env, children=1)
        try:
            fpm.start()
            body = fpm.fcgi(probe)
        finally:
            fpm.stop()
        try:
            result = json.loads(body)
        except ValueError:
            check(False, f"php-fpm, {what}", f"not JSON: {body[:500]!r}")
            continue
        if works:
            check(result.get("ok") is True and result.get("sapi") == "fpm-fcgi"
                  and [a["type"] for a in result["actions"]] == ["dialog_opened", "queued"],
                  f"php-fpm, {what}: the engine works", json.dumps(result)[:500])
        else:
            message = result.get("message", "")
            print(f"  message: {result.get('message')}")
            check(result.get("ok") is False and result.get("kind") == "library"
                  and all(w in message for w in words),
                  f"php-fpm, {what}", f"{json.dumps(result)[:600]} (wanted {words})")


# ---------------------------------------------------------------------------- load

def tenant_config(auto_close=1):
    return {
        "operators": [{"id": "ann"}, {"id": "bob"}, {"id": "cid"}],
        "lines": [{
            "id": "sales",
            "queue": {"operators": ["ann", "bob", "cid"], "forward_after_secs": 1, "max_dialogs": 0},
            "greeting": {"text": "Hello!"},
            "unanswered": {"after_secs": 2, "text": "please wait"},
            "auto_close": {"after_secs": auto_close, "text": "bye"},
            "closing": {"text": "Thank you!"},
        }],
    }


class Load:
    """CLIENTS threads sending racing inputs for a few tenants; retries until answered."""

    def __init__(self, port, tenants, clients, requests, records, seed=26, bench_dialogs=0):
        self.port, self.tenants, self.clients, self.requests = port, tenants, clients, requests
        self.bench_dialogs = bench_dialogs  # > 0: only client messages in the seeded open dialogs
        self.records = records
        self.lock = threading.Lock()
        self.sent = 0
        self.latencies = []
        self.failures = 0       # attempts without an answer (killed worker, restart): retried
        self.problems = []
        self.answers = {}       # id -> answer
        self.offers = {t: [] for t in tenants}    # [dialog, operators, accepts sent]
        self.accepted = {t: [] for t in tenants}  # [dialog, operator]
        self.delayed = []       # (when, tenant, body): replies sent again around the auto-close
        self.rng = random.Random(seed)
        self.duplicates_checked = 0
        self.events_done = True
        self.min_seconds = 0.0  # run at least this long (timers of a few seconds must fire)
        self.until = 0.0

    def take(self):
        with self.lock:
            if self.sent >= self.requests and self.events_done and time.time() >= self.until:
                return None
            self.sent += 1
            return self.sent

    def choose(self, rng, tenant, n):
        """A racing input: messages, accepts (the same offer accepted twice), replies
        around the auto-close time, closes, ticks, and retries of an old id."""
        if self.bench_dialogs:
            client = f"seed{rng.randrange(1, self.bench_dialogs + 1)}"
            return tenant, {"input": {"type": "client_message", "line": "sales", "client": client, "text": "hi"}}, None
        with self.lock:
            if self.delayed and self.delayed[0][0] <= time.time():
                _, tenant, body = self.delayed.pop(0)
                return tenant, dict(body), None
            offers, accepted = self.offers[tenant], self.accepted[tenant]
            kind = rng.random()
            if kind < 0.05 and self.answers:
                old = rng.choice(list(self.answers.values()))
                return old["tenant"], {"id": old["id"], **old["body"]}, old
            if kind < 0.35 or (not offers and not accepted):
                client = f"c{rng.randrange(300)}"
                return tenant, {"input": {"type": "client_message", "line": "sales", "client": client,
                                          "text": f"hello {n}"}}, None
            if kind < 0.55 and offers:
                offer = rng.choice(offers)
                offer[2] += 1
                if offer[2] >= 2:
                    offers.remove(offer)   # two accepts sent: a duplicate, often at once
                return tenant, {"input": {"type": "accept", "dialog": offer[0],
                                          "operator": offer[1][0]}}, None
            if kind < 0.80 and accepted:
                dialog, operator = rng.choice(accepted)
                return tenant, {"input": {"type": "operator_message", "dialog": dialog,
                                          "operator": operator}}, None
            if kind < 0.90 and accepted:
                dialog, operator = accepted.pop(rng.randrange(len(accepted)))
                return tenant, {"input": {"type": "close", "dialog": dialog, "operator": operator}}, None
            return tenant, {"tick": True}, None

    def learn(self, tenant, body, answer):
        with self.lock:
            for action in answer["actions"]:
                if action["type"] == "offer":
                    self.offers[tenant].append([action["dialog"], action["operators"], 0])
                    del self.offers[tenant][:-30]
            inp = body.get("input") or {}
            if inp.get("type") == "operator_message" and answer["error"] is None and self.rng.random() < 0.3:
                # The operator writes again about when the dialog auto-closes (after 1 s of
                # client silence): before it, the reply restarts the wait; after, it is refused.
                when = time.time() + self.rng.uniform(0.9, 1.1)
                self.delayed.append((when, tenant, {"input": inp}))
                self.delayed.sort(key=lambda d: d[0])
            if inp.get("type") == "accept" and answer["error"] is None:
                self.accepted[tenant].append([inp["dialog"], inp["operator"]])
                del self.accepted[tenant][:-30]

    def client(self, index):
        rng = random.Random(1000 + index)
        conn = {}
        while (n := self.take()) is not None:
            tenant, body, original = self.choose(rng, rng.choice(self.tenants), n)
            if original is None:
                body["id"] = f"r{n}"
            path = f"/tenants/{tenant}/inputs"
            deadline = time.time() + 60
            while True:
                t0 = time.perf_counter()
                status, answer = post(conn, self.port, path, body)
                elapsed = time.perf_counter() - t0
                if status == 200:
                    break
                with self.lock:
                    self.failures += 1
                if status not in (None, 502, 503, 504) or time.time() > deadline:
                    with self.lock:
                        self.problems.append(f"{tenant} {body}: {status} {answer}")
                    answer = None
                    break
                time.sleep(0.05)
            if answer is None:
                continue
            with self.lock:
                self.latencies.append(elapsed)
            if original is not None:
                same = {k: answer.get(k) for k in ("seq", "at", "actions", "error")} == \
                    {k: original["answer"][k] for k in ("seq", "at", "actions", "error")}
                with self.lock:
                    self.duplicates_checked += 1
                    if not same or answer.get("repeated") is not True:
                        self.problems.append(f"a retried id {body['id']} was not answered as before: {answer}")
                continue
            with self.lock:
                self.answers[body["id"]] = {"tenant": tenant, "id": body["id"], "body": {k: v for k, v in body.items() if k != "id"}, "answer": answer}
            self.learn(tenant, body, answer)

    def run(self, events=()):
        """Run the clients; each (fraction, callable) event runs once that share of the
        requests has been sent (the clients go on until every event has run)."""
        pending = sorted(events, key=lambda e: e[0])
        self.events_done = not pending

        def run_events():
            for fraction, event in pending:
                while self.sent < fraction * self.requests:
                    time.sleep(0.005)
                event()
            self.events_done = True

        self.until = time.time() + self.min_seconds
        threads = [threading.Thread(target=self.client, args=(i,)) for i in range(self.clients)]
        threads.append(threading.Thread(target=run_events))
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.seconds = time.perf_counter() - t0
        with open(self.records, "w") as f:
            for a in self.answers.values():
                ans = a["answer"]
                f.write(json.dumps({"tenant": a["tenant"], "id": a["id"], "seq": ans["seq"], "at": ans["at"],
                                    "actions": ans["actions"], "error": ans["error"]}) + "\n")

    def figures(self):
        lat = sorted(self.latencies)
        pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
        return len(lat) / self.seconds, pct(0.5), pct(0.99)

    def summary(self):
        rate, p50, p99 = self.figures()
        return (f"{len(self.latencies)} answered in {self.seconds:.1f} s: {rate:.0f} requests/s, "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")


def check_races(load):
    """The inputs did race: replies refused after an auto-close, second accepts refused."""
    seen = {}

    def count(key):
        seen[key] = seen.get(key, 0) + 1

    for a in load.answers.values():
        error, kind = a["answer"]["error"], (a["body"].get("input") or {}).get("type", "tick")
        if error:
            count(f"{kind} refused: {error['kind']}")
        for action in a["answer"]["actions"]:
            count(action["type"] + (f" ({action['reason']})" if action["type"] == "dialog_closed" else ""))
    print(f"  outcomes: {json.dumps(seen, sort_keys=True)}")
    check(seen.get("dialog_closed (inactivity)", 0) > 0 and seen.get("operator_message refused: not_allowed", 0) > 0
          and seen.get("accept refused: not_allowed", 0) > 0,
          "inputs raced: dialogs auto-closed, replies refused as not_allowed, second accepts refused",
          json.dumps(seen, sort_keys=True))


def kill_busy_worker(port, fpm, log, load):
    """kill -9 a php-fpm worker that is running a request (from the status page)."""
    for _ in range(200):
        status, body = None, None
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/fpm-status?json&full")
            r = c.getresponse()
            status, body = r.status, json.loads(r.read().decode())
            c.close()
        except (OSError, ValueError, http.client.HTTPException):
            pass
        if status == 200:
            for proc in body.get("processes", []):
                if proc["state"] == "Running" and proc["request uri"].startswith("/tenants/") \
                        and proc["pid"] in fpm.children_pids():
                    before = load.failures
                    os.kill(proc["pid"], signal.SIGKILL)
                    deadline = time.time() + 3
                    while load.failures == before and time.time() < deadline:
                        time.sleep(0.01)
                    log.append(f"killed php-fpm worker {proc['pid']} while it ran {proc['request uri']}: "
                               f"{load.failures - before} request(s) cut")
                    return
        time.sleep(0.005)
    log.append("found no busy worker to kill")


def load_test(args, work, prefix, lib):
    state, tenants_dir = work / "state", work / "tenants"
    state.mkdir()
    tenants_dir.mkdir()
    tenants = ["acme", "globex", "initech"]
    for t in tenants + ["deploy"]:
        (tenants_dir / f"{t}.json").write_text(json.dumps(tenant_config()))
    fpm = Fpm(args.php_fpm, work, "app", ini=readme_preload(prefix), children=4)
    nginx = Nginx(work, state, tenants_dir)
    try:
        fpm.start()
        nginx.start(fpm_port=fpm.port)
        deploy_checks(nginx.port)
        events_log = []

        def restart():
            fpm.stop(signal.SIGTERM)     # the fast way: requests in flight are cut
            events_log.append("php-fpm stopped (SIGTERM) and started again")
            fpm.start(restart=True)

        load = Load(nginx.port, tenants, args.clients, args.requests, work / "records.jsonl")
        load.min_seconds = 5.0
        load.run(events=[(0.3, lambda: kill_busy_worker(nginx.port, fpm, events_log, load)), (0.6, restart)])
    finally:
        nginx.stop()
        fpm.stop()
    for e in events_log:
        print(f"  {e}")
    print(f"  per-request host: {load.summary()}; {load.failures} attempts cut and retried")
    check(any(e.startswith("killed php-fpm worker") and not e.endswith(": 0 request(s) cut") for e in events_log),
          "a php-fpm worker was killed mid-request (its request cut, then retried)", "; ".join(events_log))
    check(load.failures > 0, "some requests were cut by the kill or the restart (and retried)", f"{load.failures}")
    check(not load.problems, f"every request answered ({len(load.latencies)})", "; ".join(load.problems[:5]))
    check(load.duplicates_checked > 0, f"{load.duplicates_checked} retries of an old request id answered as before")
    check_races(load)
    verify(args, state, work / "records.jsonl", lib)
    return load


class Worker:
    """examples/php/worker.php --listen on a loopback port."""

    def __init__(self, work, state, tenants, lib, snapshot_every=50):
        self.work, self.state, self.tenants, self.lib = work, state, tenants, lib
        self.snapshot_every = snapshot_every
        self.port = free_port()
        self.proc = None

    def start(self, restart=False):
        self.proc = start_server(self, self.spawn, f"the worker (see {self.work}/worker.err)",
                                 attempts=1 if restart else 5)  # nginx knows the port

    def spawn(self):
        return subprocess.Popen(
            ["php", str(REPO / "examples/php/worker.php"), "--tenants", str(self.tenants), "--state", str(self.state),
             "--listen", f"127.0.0.1:{self.port}", "--snapshot-every", str(self.snapshot_every)],
            env={**os.environ, "OPENLINES_LIB": str(self.lib)}, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.work / "worker.err", "ab"))

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        code = self.proc.returncode if self.proc is not None else None
        self.proc = None
        return code


def worker_test(args, work, lib):
    work = work / "worker"
    state, tenants_dir = work / "state", work / "tenants"
    state.mkdir(parents=True)
    tenants_dir.mkdir()
    tenants = ["acme", "globex", "initech"]
    for t in tenants + ["deploy"]:
        (tenants_dir / f"{t}.json").write_text(json.dumps(tenant_config()))
    worker = Worker(work, state, tenants_dir, lib)
    nginx = Nginx(work, state, tenants_dir)
    events_log = []

    def kill():
        worker.stop(signal.SIGKILL)
        events_log.append("worker killed (SIGKILL) and started again")
        worker.start(restart=True)

    def restart():
        code = worker.stop(signal.SIGTERM)
        events_log.append(f"worker stopped (SIGTERM, exit {code}) and started again")
        worker.start(restart=True)

    try:
        worker.start()
        nginx.start(worker_port=worker.port)
        deploy_checks(nginx.port, "nginx -> examples/php/worker.php --listen")
        # Three times the requests: the worker is faster, and the races need a few seconds.
        load = Load(nginx.port, tenants, args.clients, 3 * args.requests, work / "records.jsonl", seed=27)
        load.min_seconds = 5.0
        load.run(events=[(0.3, kill), (0.6, restart)])
    finally:
        nginx.stop()
        code = worker.stop()
    for e in events_log:
        print(f"  {e}")
    print(f"  worker: {load.summary()}; {load.failures} attempts cut and retried")
    check(code == 0, "the worker stops on SIGTERM (after snapshotting every tenant)", f"exit {code}")
    check(load.failures > 0, "some requests were cut by the kill or the restart (and retried)", f"{load.failures}")
    check(not load.problems, f"every request answered ({len(load.latencies)})", "; ".join(load.problems[:5]))
    check(load.duplicates_checked > 0, f"{load.duplicates_checked} retries of an old request id answered as before")
    check_races(load)
    verify(args, state, work / "records.jsonl", lib)
    return load


def verify(args, state, records, lib):
    out = subprocess.run(["php", str(HERE / "verify.php"), str(state), str(records), args.cli],
                         capture_output=True, text=True, env={**os.environ, "OPENLINES_LIB": str(lib)})
    lines = out.stdout.splitlines()
    for line in lines:
        if line.startswith("ok: "):
            check(True, line[4:])
        elif line.startswith("FAILED: "):
            what, _, why = line[8:].partition(": ")
            check(False, what, why)
    check(bool(lines) and (out.returncode == 0) == all(line.startswith("ok: ") for line in lines),
          "verify.php ran to the end", out.stderr[-2000:])


def deploy_checks(port, what="nginx -> php-fpm -> examples/php/http.php"):
    conn = {}
    msg = {"type": "client_message", "line": "sales", "client": "deploy", "text": "Здравствуйте"}
    status, first = post(conn, port, "/tenants/deploy/inputs", {"id": "deploy-1", "input": msg})
    check(status == 200 and [a["type"] for a in first.get("actions", [])][:2] == ["dialog_opened", "send_message"]
          and first["error"] is None and first["seq"] == 1 and first["at"].endswith("Z"),
          f"{what}: the actions as JSON", f"{status} {first}")
    status, again = post(conn, port, "/tenants/deploy/inputs", {"id": "deploy-1", "input": msg})
    check(status == 200 and again.get("repeated") is True and again["seq"] == 1 and again["actions"] == first["actions"],
          "the same request id again: the stored answer, applied once", f"{status} {again}")
    status, refused = post(conn, port, "/tenants/deploy/inputs",
                           {"id": "deploy-2", "input": {"type": "accept", "dialog": 99, "operator": "ann"}})
    check(status == 200 and refused["error"]["kind"] == "unknown_dialog" and refused["seq"] == 2,
          "a refused input: 200 with the engine's error, logged", f"{status} {refused}")
    status, body = post(conn, port, "/tenants/nobody/inputs", {"tick": True})
    check(status == 404 and body["error"]["kind"] == "unknown_tenant", "an unknown tenant: 404", f"{status} {body}")
    status, body = post(conn, port, "/tenants/deploy/inputs", {"input": "hi"})
    check(status == 400 and body["error"]["kind"] == "invalid_request", "a body of the wrong shape: 400", f"{status} {body}")


# ---------------------------------------------------------------------------- bench

def bench_config():
    """As php/bench/request-cost.php: 200 operators, every dialog assigned, no timer due."""
    operators = [f"op{i}" for i in range(200)]
    return {"operators": [{"id": o} for o in operators],
            "lines": [{"id": "sales", "queue": {"operators": operators, "distribution": "evenly"},
                       "greeting": {"text": "Hello! An operator will answer soon."},
                       "unanswered": {"after_secs": 600, "text": "Please wait"},
                       "auto_close": {"after_secs": 86400}}]}


def bench(args, work, prefix, lib):
    """requests/s and latency over HTTP, per host, at each size of open dialogs per tenant."""
    sizes = [int(x) for x in args.bench.split(",")]
    tenants = [f"t{i}" for i in range(args.bench_tenants)]
    rows = []
    for size in sizes:
        for host in ("per-request (php-fpm)", "worker"):
            run = work / f"bench-{size}-{'fpm' if host.startswith('per') else 'worker'}"
            state, tenants_dir = run / "state", run / "tenants"
            state.mkdir(parents=True)
            tenants_dir.mkdir()
            for t in tenants:
                (tenants_dir / f"{t}.json").write_text(json.dumps(bench_config()))
                subprocess.run(["php", str(HERE / "seed.php"), str(state), t, str(tenants_dir / f"{t}.json"), str(size)],
                               check=True, stdout=subprocess.DEVNULL, env={**os.environ, "OPENLINES_LIB": str(lib)})
            nginx = Nginx(run, state, tenants_dir)
            server = (Fpm(args.php_fpm, run, "bench", ini=readme_preload(prefix), children=args.bench_children)
                      if host.startswith("per") else Worker(run, state, tenants_dir, lib, snapshot_every=1000))
            try:
                server.start()
                nginx.start(**({"fpm_port": server.port} if host.startswith("per") else {"worker_port": server.port}))
                # The worker is much faster: five times the requests, for stable percentiles.
                requests = args.bench_requests * (1 if host.startswith("per") else 5)
                load = Load(nginx.port, tenants, args.clients, requests, run / "records.jsonl", bench_dialogs=size)
                load.run()
            finally:
                nginx.stop()
                server.stop()
            errors = sum(1 for a in load.answers.values() if a["answer"]["error"])
            check(not load.problems and errors == 0, f"bench {size} open dialogs per tenant, {host}: every request answered",
                  "; ".join(load.problems[:3]) + f" {errors} refused")
            rate, p50, p99 = load.figures()
            rows.append((size, host, rate, p50, p99))
            print(f"  {size} open dialogs per tenant, {host}: {load.summary()}", flush=True)
            shutil.rmtree(run, ignore_errors=True)
    print(f"\n{args.clients} clients, {len(tenants)} tenants, {args.bench_requests} requests per run "
          f"({5 * args.bench_requests} for the worker); "
          f"php-fpm pm.max_children={args.bench_children}; load average {os.getloadavg()[0]:.1f}")
    print("| open dialogs per tenant | host | requests/s | p50 | p99 |\n|---|---|---|---|---|")
    for size, host, rate, p50, p99 in rows:
        print(f"| {size:,} | {host} | {rate:.0f} | {p50:.1f} ms | {p99:.1f} ms |".replace(",", " "))


# ---------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", required=True, help="libopenlines.so (release build)")
    parser.add_argument("--cli", required=True, help="the openlines command (replay)")
    parser.add_argument("--php-fpm", default=shutil.which("php-fpm8.2") or shutil.which("php-fpm") or "php-fpm")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--only", default="ffi,load,worker")
    parser.add_argument("--bench", help="open dialogs per tenant to measure, e.g. 100,2000,20000")
    parser.add_argument("--bench-requests", type=int, default=400)
    parser.add_argument("--bench-tenants", type=int, default=4)
    parser.add_argument("--bench-children", type=int, default=4, help="php-fpm pm.max_children")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    # Killed (a CI timeout): unwind, so that the finally blocks stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = pathlib.Path(tempfile.mkdtemp(prefix="openlines-fpm-"))
    try:
        prefix = work / "prefix"
        subprocess.run(["bash", str(REPO / "bindings/c/install.sh"), str(prefix), "--no-build", "--no-strip"],
                       check=True, stdout=subprocess.DEVNULL, env={**os.environ, "CARGO_TARGET_DIR": str(pathlib.Path(args.lib).resolve().parents[1])})
        lib = prefix / "lib" / "libopenlines.so.0"
        only = args.only.split(",")
        if args.bench:
            bench(args, work, prefix, lib)
        else:
            if "ffi" in only:
                ffi_tests(args, work, prefix)
            if "load" in only:
                load_test(args, work, prefix, lib)
            if "worker" in only:
                worker_test(args, work, lib)
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"php-fpm tests: {PASSED} passed, {FAILED} failed")
    sys.exit(1 if FAILED or not PASSED else 0)


if __name__ == "__main__":
    main()
