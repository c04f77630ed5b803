<?php

/**
 * A long-running openlines worker: one process holds the engines of a set of tenants.
 *
 *   php examples/php/worker.php --tenants DIR --state DIR [--snapshot-every N]
 *                               [--clock wall|input] [--queue PDO-DSN [--until-empty]]
 *
 * --tenants DIR     one config per tenant: DIR/<tenant>.json (the contract's section 2)
 * --state DIR       where each tenant's snapshot (<tenant>.snapshot) and input log
 *                   (<tenant>.log) live; created if missing
 * --snapshot-every  snapshot a tenant every N logged inputs, then start a new log (100)
 * --clock wall      (default) stamp each input with the wall clock when it is taken, and
 *                   tick each engine at its nextDeadline(), sleeping in between
 * --clock input     take the time from each input's "at" (simulations, tests, replays of
 *                   recorded traffic); {"tenant": T, "at": ..., "tick": true} ticks
 * --queue DSN       read inputs from a queue table through PDO instead of stdin
 *                   (php/README.md, "Hosting PHP"):
 *                     CREATE TABLE openlines_queue (id INTEGER PRIMARY KEY, body TEXT)
 *                   (id ascending is the order; body is what a stdin line would be);
 *                   a row is deleted once its input is logged; its id goes into the log
 *                   too, so a row taken again after a crash is not applied twice
 * --until-empty     with --queue: stop (after snapshotting) when the queue is empty
 * --listen ADDR     take inputs over HTTP instead (127.0.0.1:8080; put nginx in front),
 *                   the same requests and answers as examples/php/http.php
 *                   (POST /tenants/<tenant>/inputs), and keep the state in the same
 *                   SQLite databases as the per-request host (STATE/<tenant>.sqlite:
 *                   every input logged before it is answered, the snapshot every N);
 *                   wall clock only. SIGTERM or SIGINT: snapshot every tenant and stop.
 *
 * Inputs on stdin: one JSON object per line, {"tenant": "acme", "input": {...}} (plus
 * "at" with --clock input). Output on stdout: one JSON line per action,
 * {"tenant", "seq", "index", "action"}; (tenant, seq, index) is an idempotency key for
 * carrying the action out exactly once. A rejected input prints {"tenant", "seq",
 * "error": {"kind", "message"}} after the actions of the timers that fired before it.
 *
 * Durability: each input (and each tick) is appended to its tenant's log before it is
 * applied; every N entries the tenant is snapshotted (written to a temporary file, then
 * renamed) and its log restarts. On start, each tenant is restored from its snapshot and
 * the log entries after it are replayed (their actions are not printed again: they were
 * printed before the restart), so a worker killed at any point comes back in the exact
 * state it had. The engine is deterministic: same inputs at the same times, same state.
 *
 * One worker per set of tenants: the worker is the only writer of its tenants' engines,
 * so it needs no locks; run several workers for disjoint sets of tenants.
 */

declare(strict_types=1);

use OpenLines\Engine;
use OpenLines\Exception as EngineError;

$composer = getcwd() . '/vendor/autoload.php';
require_once is_file($composer) ? $composer : __DIR__ . '/../../php/autoload.php';
require_once __DIR__ . '/request.php'; // --listen: the per-request host's SQLite store

/** One tenant: its engine, log and counters. */
final class Tenant
{
    /** The sequence number of the last logged entry. */
    public int $seq = 0;

    /** Entries logged since the last snapshot. */
    public int $sinceSnapshot = 0;

    /** The id of the last queue row applied to this tenant (0: none, or stdin). */
    public int $lastRow = 0;

    /** @var resource the input log, opened for appending */
    private $log;

    public function __construct(public readonly string $name, public Engine $engine, private readonly string $state)
    {
        $this->log = fopen($this->path('log'), 'ab');
    }

    public function path(string $what): string
    {
        return "$this->state/$this->name.$what";
    }

    /** Append an entry to the log (written through before the engine sees it). */
    public function log(array $entry): void
    {
        $this->seq++;
        $this->sinceSnapshot++;
        $entry['seq'] = $this->seq;
        $this->lastRow = max($this->lastRow, $entry['row'] ?? 0);
        fwrite($this->log, json_encode($entry, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR) . "\n");
        fflush($this->log);
        fsync($this->log); // on disk before it takes effect: survives a power cut too
    }

    /** Snapshot the engine (atomically) and start a new log. */
    public function snapshot(): void
    {
        $tmp = $this->path('snapshot.tmp');
        $file = fopen($tmp, 'wb');
        fwrite($file, pack('JJ', $this->seq, $this->lastRow) . $this->engine->snapshot());
        fflush($file);
        fsync($file);
        fclose($file);
        rename($tmp, $this->path('snapshot'));
        ftruncate($this->log, 0);
        $this->sinceSnapshot = 0;
    }

    /**
     * Restore a tenant: its snapshot if there is one (else a new engine from its config),
     * then the logged entries after it.
     */
    public static function open(string $name, string $configFile, string $state): self
    {
        $snapshotFile = "$state/$name.snapshot";
        $seq = $lastRow = 0;
        if (is_file($snapshotFile)) {
            $bytes = (string) file_get_contents($snapshotFile);
            ['seq' => $seq, 'row' => $lastRow] = unpack('Jseq/Jrow', $bytes);
            $engine = Engine::restore(substr($bytes, 16));
        } else {
            $engine = new Engine((string) file_get_contents($configFile));
        }
        $logFile = "$state/$name.log";
        $log = is_file($logFile) ? (string) file_get_contents($logFile) : '';
        $complete = strrpos($log, "\n");
        $complete = $complete === false ? 0 : $complete + 1;
        if ($complete < strlen($log)) {
            // A torn last line: the worker died while writing it, before applying it.
            truncate($logFile, $complete);
        }
        $tenant = new self($name, $engine, $state);
        $tenant->seq = $seq;
        $tenant->lastRow = $lastRow;
        foreach (explode("\n", substr($log, 0, $complete)) as $line) {
            if ($line === '') {
                continue;
            }
            $entry = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
            if ($entry['seq'] <= $tenant->seq) {
                continue; // already in the snapshot
            }
            apply($engine, $entry);
            $tenant->seq = $entry['seq'];
            $tenant->lastRow = max($tenant->lastRow, $entry['row'] ?? 0);
            $tenant->sinceSnapshot++;
        }
        return $tenant;
    }
}

/** Cut a file to its first $length bytes. */
function truncate(string $path, int $length): void
{
    $file = fopen($path, 'r+b');
    ftruncate($file, $length);
    fclose($file);
}

/**
 * Apply one logged entry; returns [actions, error or null].
 *
 * @return array{0: list<array<string, mixed>>, 1: EngineError|null}
 */
function apply(Engine $engine, array $entry): array
{
    $at = new DateTimeImmutable($entry['at']);
    try {
        return [isset($entry['input']) ? $engine->handle($at, $entry['input']) : $engine->advance($at), null];
    } catch (EngineError $e) {
        return [$e->getActions(), $e];
    }
}

/** Log an entry, apply it and print its actions (and its error). */
function run(Tenant $tenant, array $entry, int $snapshotEvery): void
{
    $tenant->log($entry);
    [$actions, $error] = apply($tenant->engine, $entry);
    $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR;
    foreach ($actions as $index => $action) {
        echo json_encode(['tenant' => $tenant->name, 'seq' => $tenant->seq, 'index' => $index, 'action' => $action], $flags), "\n";
    }
    if ($error !== null) {
        echo json_encode(['tenant' => $tenant->name, 'seq' => $tenant->seq,
            'error' => ['kind' => $error->getKind(), 'message' => $error->getMessage()]], $flags), "\n";
    }
    if ($tenant->sinceSnapshot >= $snapshotEvery) {
        $tenant->snapshot();
    }
}

/** The wall clock as the engine's time format (UTC, milliseconds). */
function wall(): string
{
    return (new DateTimeImmutable('now', new DateTimeZone('UTC')))->format('Y-m-d\TH:i:s.v\Z');
}

/**
 * The next input from the queue table or stdin: an array, false when there is none yet
 * (time to tick), null at the end (EOF; an empty queue with --until-empty). A queue row
 * is returned with its id in "_row", to be deleted once the input is logged.
 */
function next_input(?PDO $queue, float $timeout, bool $untilEmpty): array|false|null
{
    if ($queue !== null) {
        $row = $queue->query('SELECT id, body FROM openlines_queue ORDER BY id LIMIT 1')->fetch(PDO::FETCH_ASSOC);
        if ($row === false) {
            if ($untilEmpty) {
                return null;
            }
            usleep((int) (min($timeout, 0.2) * 1e6));
            return false;
        }
        return ['_row' => (int) $row['id']] + json_decode($row['body'], true, 512, JSON_THROW_ON_ERROR);
    }
    $read = [STDIN];
    $none = [];
    $seconds = (int) $timeout;
    if (stream_select($read, $none, $none, $seconds, (int) (($timeout - $seconds) * 1e6)) === 0) {
        return false; // timed out: time to tick
    }
    $line = fgets(STDIN);
    if ($line === false) {
        return null;
    }
    return trim($line) === '' ? false : json_decode($line, true, 512, JSON_THROW_ON_ERROR);
}

/**
 * A tenant of --listen: its engine in memory, its input log and snapshot in the
 * per-request host's SQLite database (so either host can take over the other's state).
 * The worker holds the tenant's lock for as long as it runs: it is the only writer.
 */
final class StoredTenant
{
    public int $seq;
    private int $snapshotSeq;
    private readonly PDO $db;
    /** @var resource */
    private $lock;

    public Engine $engine;

    public function __construct(public readonly string $name, string $stateDir, string $configFile)
    {
        $this->db = open_tenant_db($stateDir, $name);
        $this->lock = fopen("$stateDir/$name.lock", 'c');
        if (!flock($this->lock, LOCK_EX | LOCK_NB)) {
            throw new RuntimeException("tenant $name is locked by another process (another worker, or a request of the per-request host)");
        }
        $state = $this->db->query('SELECT config, snapshot, seq FROM tenant')->fetch(PDO::FETCH_ASSOC);
        if ($state === false) {
            $config = (string) file_get_contents($configFile);
            $this->db->prepare('INSERT INTO tenant (id, config, snapshot, seq) VALUES (1, ?, NULL, 0)')->execute([$config]);
            $state = ['config' => $config, 'snapshot' => null, 'seq' => 0];
        }
        $this->engine = $state['snapshot'] === null ? new Engine($state['config']) : Engine::restore($state['snapshot']);
        $this->seq = $this->snapshotSeq = (int) $state['seq'];
        // The inputs logged after the snapshot: applied again (they were answered before).
        $rows = $this->db->prepare('SELECT seq, at, input FROM inputs WHERE seq > ? ORDER BY seq');
        $rows->execute([$this->seq]);
        foreach ($rows as $row) {
            $entry = ['at' => $row['at']];
            if ($row['input'] !== null) {
                $entry['input'] = json_decode($row['input'], true, 512, JSON_THROW_ON_ERROR);
            }
            apply($this->engine, $entry);
            $this->seq = (int) $row['seq'];
        }
    }

    /** The stored answer to a request id already applied, or null. */
    public function answered(string $request): ?array
    {
        $done = $this->db->prepare('SELECT seq, at, actions, error FROM inputs WHERE request = ?');
        $done->execute([$request]);
        $row = $done->fetch(PDO::FETCH_ASSOC);
        return $row === false ? null : ['seq' => (int) $row['seq'], 'at' => $row['at'],
            'actions' => json_decode($row['actions'], true, 512, JSON_THROW_ON_ERROR),
            'error' => $row['error'] === null ? null : json_decode($row['error'], true, 512, JSON_THROW_ON_ERROR),
            'repeated' => true];
    }

    /** Apply an input (null: a tick) at the wall clock, log it (committed), snapshot every N. */
    public function take(?string $request, ?array $input, int $snapshotEvery): array
    {
        $at = wall(); // the only writer: inputs are stamped in the order they are applied
        $entry = ['at' => $at];
        if ($input !== null) {
            $entry['input'] = $input;
        }
        [$actions, $error] = apply($this->engine, $entry);
        $error = $error === null ? null : ['kind' => $error->getKind(), 'message' => $error->getMessage()];
        $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR;
        $this->db->prepare('INSERT INTO inputs (seq, request, at, input, actions, error) VALUES (?, ?, ?, ?, ?, ?)')
            ->execute([++$this->seq, $request, $at, $input === null ? null : json_encode($input, $flags),
                json_encode($actions, $flags), $error === null ? null : json_encode($error, $flags)]);
        if ($this->seq - $this->snapshotSeq >= $snapshotEvery) {
            $this->snapshot();
        }
        return ['seq' => $this->seq, 'at' => $at, 'actions' => $actions, 'error' => $error, 'repeated' => false];
    }

    public function snapshot(): void
    {
        $update = $this->db->prepare('UPDATE tenant SET snapshot = ?, seq = ?');
        $update->bindValue(1, $this->engine->snapshot(), PDO::PARAM_LOB);
        $update->bindValue(2, $this->seq, PDO::PARAM_INT);
        $update->execute();
        $this->snapshotSeq = $this->seq;
    }
}

/** Answer one HTTP request on $conn (HTTP/1.0 or 1.1, closed after the answer). */
function serve_one($conn, array $tenants, int $snapshotEvery): void
{
    $answer = static function (int $status, array $body) use ($conn): void {
        $text = json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
        fwrite($conn, "HTTP/1.1 $status " . ($status === 200 ? 'OK' : 'Error') . "\r\nContent-Type: application/json\r\n"
            . 'Content-Length: ' . strlen($text) . "\r\nConnection: close\r\n\r\n" . $text);
    };
    $fail = static fn (int $status, string $kind, string $message) => $answer($status, ['error' => ['kind' => $kind, 'message' => $message]]);
    stream_set_timeout($conn, 10);
    $requestLine = (string) fgets($conn);
    $length = 0;
    while (($header = fgets($conn)) !== false && rtrim($header) !== '') {
        if (stripos($header, 'content-length:') === 0) {
            $length = (int) trim(substr($header, 15));
        }
    }
    $body = $length > 0 ? (string) stream_get_contents($conn, $length) : '';
    if (preg_match('#^(\S+) (\S+) HTTP/#', $requestLine, $m) !== 1) {
        $fail(400, 'invalid_request', 'not an HTTP request');
        return;
    }
    $path = (string) parse_url($m[2], PHP_URL_PATH);
    if (preg_match('#^/tenants/([^/]+)/inputs$#', $path, $p) !== 1) {
        $fail(404, 'not_found', "no such resource: $path (POST /tenants/<tenant>/inputs)");
        return;
    }
    if ($m[1] !== 'POST') {
        $fail(405, 'method', 'use POST');
        return;
    }
    $tenant = $tenants[rawurldecode($p[1])] ?? null;
    if ($tenant === null) {
        $fail(404, 'unknown_tenant', 'no such tenant: ' . json_encode(rawurldecode($p[1])));
        return;
    }
    $request = parse_input_body($body);
    if (is_string($request)) {
        $fail(400, 'invalid_request', $request);
        return;
    }
    $answer(200, ($request['id'] === null ? null : $tenant->answered($request['id']))
        ?? $tenant->take($request['id'], $request['input'], $snapshotEvery));
}

/** --listen: serve HTTP, ticking each engine at its deadline in between. */
function listen(string $address, string $tenantsDir, string $stateDir, int $snapshotEvery): void
{
    /** @var array<string, StoredTenant> $tenants */
    $tenants = [];
    foreach (glob("$tenantsDir/*.json") as $configFile) {
        $name = basename($configFile, '.json');
        $tenants[$name] = new StoredTenant($name, $stateDir, $configFile);
    }
    $server = stream_socket_server("tcp://$address", $errno, $errstr);
    if ($server === false) {
        fwrite(STDERR, "worker: cannot listen on $address: $errstr\n");
        exit(1);
    }
    $stop = false;
    pcntl_async_signals(true);
    pcntl_signal(SIGTERM, static function () use (&$stop) { $stop = true; });
    pcntl_signal(SIGINT, static function () use (&$stop) { $stop = true; });
    fwrite(STDERR, 'worker: ' . count($tenants) . " tenant(s) restored, listening on $address\n");
    while (!$stop) {
        $timeout = 1.0;
        foreach ($tenants as $tenant) {
            $deadline = $tenant->engine->nextDeadline();
            if ($deadline !== null && $deadline <= new DateTimeImmutable()) {
                $tenant->take(null, null, $snapshotEvery);
                $deadline = $tenant->engine->nextDeadline();
            }
            if ($deadline !== null) {
                $timeout = min($timeout, max(0.0, (float) $deadline->format('U.u') - microtime(true)));
            }
        }
        $read = [$server];
        $none = [];
        if (@stream_select($read, $none, $none, 0, (int) ($timeout * 1e6)) > 0) {
            $conn = @stream_socket_accept($server, 0);
            if ($conn !== false) {
                try {
                    serve_one($conn, $tenants, $snapshotEvery);
                } finally {
                    fclose($conn);
                }
            }
        }
    }
    foreach ($tenants as $tenant) {
        $tenant->snapshot();
    }
    fwrite(STDERR, "worker: stopped, every tenant snapshotted\n");
}

$options = getopt('', ['tenants:', 'state:', 'snapshot-every:', 'clock:', 'queue:', 'until-empty', 'listen:']);
if (!isset($options['tenants'], $options['state'])) {
    fwrite(STDERR, "usage: php worker.php --tenants DIR --state DIR [--snapshot-every N] [--clock wall|input] [--queue DSN | --listen ADDR]\n");
    exit(2);
}
$snapshotEvery = max(1, (int) ($options['snapshot-every'] ?? 100));
$wallClock = ($options['clock'] ?? 'wall') === 'wall';
$queue = isset($options['queue']) ? new PDO($options['queue'], null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]) : null;
is_dir($options['state']) || mkdir($options['state'], 0777, true);
if (isset($options['listen'])) {
    listen($options['listen'], $options['tenants'], $options['state'], $snapshotEvery);
    exit(0);
}

/** @var array<string, Tenant> $tenants */
$tenants = [];
foreach (glob($options['tenants'] . '/*.json') as $configFile) {
    $name = basename($configFile, '.json');
    $tenants[$name] = Tenant::open($name, $configFile, $options['state']);
}
fwrite(STDERR, 'worker: ' . count($tenants) . " tenant(s) restored\n");

while (true) {
    $timeout = 3600.0;
    if ($wallClock) {
        // Tick every engine whose deadline has come; sleep until the earliest next one.
        foreach ($tenants as $tenant) {
            $deadline = $tenant->engine->nextDeadline();
            if ($deadline !== null && $deadline <= new DateTimeImmutable()) {
                run($tenant, ['at' => wall()], $snapshotEvery);
                $deadline = $tenant->engine->nextDeadline();
            }
            if ($deadline !== null) {
                $timeout = min($timeout, max(0.0, (float) $deadline->format('U.u') - microtime(true)));
            }
        }
    }
    $message = next_input($queue, $timeout, isset($options['until-empty']));
    if ($message === null) {
        break;
    }
    if ($message === false) {
        continue;
    }
    $tenant = $tenants[$message['tenant'] ?? ''] ?? null;
    if ($tenant === null) {
        fwrite(STDERR, 'worker: unknown tenant ' . json_encode($message['tenant'] ?? null) . "\n");
    } else {
        // The worker is the only writer of this tenant: the time is stamped here, in order.
        $entry = ['at' => $wallClock ? wall() : $message['at']];
        if (empty($message['tick'])) {
            $entry['input'] = $message['input'];
        }
        if (isset($message['_row'])) {
            $entry['row'] = $message['_row'];
        }
        // A row the log already has (the worker died between logging it and deleting it
        // from the queue) is not applied twice.
        if (($entry['row'] ?? PHP_INT_MAX) > max(array_map(static fn (Tenant $t) => $t->lastRow, $tenants))) {
            run($tenant, $entry, $snapshotEvery);
        }
    }
    if (isset($message['_row'])) {
        $queue->prepare('DELETE FROM openlines_queue WHERE id = ?')->execute([$message['_row']]);
    }
}
foreach ($tenants as $tenant) {
    $tenant->snapshot();
}
fwrite(STDERR, "worker: stopped, every tenant snapshotted\n");
