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
require is_file($composer) ? $composer : __DIR__ . '/../../php/autoload.php';

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

$options = getopt('', ['tenants:', 'state:', 'snapshot-every:', 'clock:', 'queue:', 'until-empty']);
if (!isset($options['tenants'], $options['state'])) {
    fwrite(STDERR, "usage: php worker.php --tenants DIR --state DIR [--snapshot-every N] [--clock wall|input] [--queue DSN]\n");
    exit(2);
}
$snapshotEvery = max(1, (int) ($options['snapshot-every'] ?? 100));
$wallClock = ($options['clock'] ?? 'wall') === 'wall';
$queue = isset($options['queue']) ? new PDO($options['queue'], null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]) : null;
is_dir($options['state']) || mkdir($options['state'], 0777, true);

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
