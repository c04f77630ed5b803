<?php

/**
 * A per-request openlines host, the way a PHP-FPM (shared-nothing) application has to
 * do it: every request restores the tenant's engine, applies its one input and stores
 * the new snapshot, all under a per-tenant lock. State lives in SQLite through PDO, one
 * database per tenant (STATE_DIR/<tenant>.sqlite):
 *
 *   tenant(config, snapshot, seq)                       the engine after input `seq`
 *   inputs(seq, request, at, input, actions, error)     every input (null: a tick) with
 *                                                       its time and what it produced
 *
 * The snapshot is the state; the input log is the audit trail (and what
 * `openlines replay` checks the state against: php/tests/fpm/). `request` is the
 * caller's idempotency key: a request retried after a lost response (a killed worker, a
 * timeout) gets the stored answer again instead of applying its input twice.
 *
 * The web front (nginx -> php-fpm) is examples/php/http.php. From the command line:
 *
 *   php examples/php/request.php STATE_DIR TENANT CONFIG.json INPUT-JSON|tick [AT]
 *
 * prints the result as JSON. AT (RFC 3339) replaces the wall clock, for tests.
 *
 * The cost is restore + snapshot of the whole tenant on every request, linear in its
 * open dialogs (measured in php/README.md); timers only fire when a request comes or a
 * cron job sends a tick. Past a few thousand open dialogs per tenant, or when ticks must
 * be on time, run examples/php/worker.php instead.
 */

declare(strict_types=1);

use OpenLines\Engine;
use OpenLines\Exception as EngineError;

$composer = getcwd() . '/vendor/autoload.php';
require_once is_file($composer) ? $composer : __DIR__ . '/../../php/autoload.php';

/** A tenant name that is safe as a file name. */
function valid_tenant(string $tenant): bool
{
    return preg_match('/^[A-Za-z0-9_-]{1,64}$/', $tenant) === 1;
}

/**
 * Open (and create if needed) a tenant's database: WAL journal (a killed process leaves
 * the last committed transaction, never half of one), synchronous=NORMAL (durable across
 * a crashed process; FULL also across a power cut, at one fsync per request).
 */
function open_tenant_db(string $stateDir, string $tenant): PDO
{
    if (!valid_tenant($tenant)) {
        throw new InvalidArgumentException("not a tenant name: " . json_encode($tenant));
    }
    $db = new PDO("sqlite:$stateDir/$tenant.sqlite", null, null, [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_TIMEOUT => 60,        // seconds to wait for SQLite's own lock (busy timeout)
        PDO::ATTR_STRINGIFY_FETCHES => false,
    ]);
    $db->exec('PRAGMA journal_mode = WAL');
    $db->exec('PRAGMA synchronous = NORMAL');
    $db->exec('CREATE TABLE IF NOT EXISTS tenant (
        id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL, snapshot BLOB, seq INTEGER NOT NULL)');
    $db->exec('CREATE TABLE IF NOT EXISTS inputs (
        seq INTEGER PRIMARY KEY, request TEXT UNIQUE, at TEXT NOT NULL, input TEXT,
        actions TEXT NOT NULL, error TEXT)');
    return $db;
}

/**
 * Read a request body of the web fronts (http.php, worker.php --listen):
 * {"id": "...", "input": {...}} or {"id": "...", "tick": true}; "id" is optional.
 *
 * @return array{id: ?string, input: ?array<string, mixed>}|string the request, or what is wrong with it
 */
function parse_input_body(string $body): array|string
{
    try {
        $request = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
    } catch (JsonException $e) {
        return 'the body is not JSON: ' . $e->getMessage();
    }
    $shape = 'the body must be {"id": "...", "input": {...}} or {"id": "...", "tick": true}';
    if (!is_array($request)) {
        return $shape;
    }
    $id = $request['id'] ?? null;
    $tick = ($request['tick'] ?? false) === true;
    $input = $request['input'] ?? null;
    if (($id !== null && !is_string($id)) || ($tick ? $input !== null : !is_array($input))) {
        return $shape;
    }
    return ['id' => $id, 'input' => $tick ? null : $input];
}

/** The engine's time format: UTC, milliseconds (what the engine keeps). */
function engine_time(DateTimeInterface $at): string
{
    return DateTimeImmutable::createFromInterface($at)->setTimezone(new DateTimeZone('UTC'))->format('Y-m-d\TH:i:s.v\Z');
}

/**
 * Apply one input (null: a clock tick) to a tenant's engine stored in $stateDir.
 *
 * The lock makes restore -> handle -> snapshot atomic per tenant: two requests of one
 * tenant at once would otherwise both start from the same snapshot, and one input would
 * be lost. It is flock() on STATE_DIR/<tenant>.lock (a blocking lock that wakes the next
 * waiter at once and is released by the kernel if the process dies), around a SQLite
 * write transaction (BEGIN IMMEDIATE ... COMMIT: all or nothing). With a server
 * database: SELECT the snapshot ... FOR UPDATE in a transaction, then UPDATE and COMMIT.
 *
 * The time is read inside the lock, so inputs reach the engine in time order; read
 * before it, a request that waited for the lock could carry an earlier time than the
 * one that held it and be refused as time_went_backwards.
 *
 * @param string|null $at        a fixed time instead of the wall clock (tests, replays)
 * @param string|null $requestId the caller's idempotency key (null: none)
 * @return array{seq: int, at: string, actions: list<array<string, mixed>>,
 *               error: ?array{kind: string, message: string}, repeated: bool}
 */
function handle_request(string $stateDir, string $tenant, string $configFile, ?array $input, ?string $at = null, ?string $requestId = null): array
{
    $db = open_tenant_db($stateDir, $tenant);
    $lock = fopen("$stateDir/$tenant.lock", 'c');
    if ($lock === false || !flock($lock, LOCK_EX)) {
        throw new RuntimeException("cannot lock $stateDir/$tenant.lock");
    }
    try {
        $db->exec('BEGIN IMMEDIATE');
        $open = true;
        try {
            if ($requestId !== null) {
                $done = $db->prepare('SELECT seq, at, actions, error FROM inputs WHERE request = ?');
                $done->execute([$requestId]);
                $row = $done->fetch(PDO::FETCH_ASSOC);
                if ($row !== false) {
                    $db->exec('ROLLBACK');
                    $open = false;
                    return ['seq' => (int) $row['seq'], 'at' => $row['at'],
                        'actions' => json_decode($row['actions'], true, 512, JSON_THROW_ON_ERROR),
                        'error' => $row['error'] === null ? null : json_decode($row['error'], true, 512, JSON_THROW_ON_ERROR),
                        'repeated' => true];
                }
            }
            $now = engine_time(new DateTimeImmutable($at ?? 'now')); // read inside the lock
            $state = $db->query('SELECT snapshot, seq FROM tenant')->fetch(PDO::FETCH_ASSOC);
            if ($state === false) {
                $config = file_get_contents($configFile);
                if ($config === false) {
                    throw new RuntimeException("cannot read $configFile");
                }
                $engine = new Engine($config);
                $db->prepare('INSERT INTO tenant (id, config, snapshot, seq) VALUES (1, ?, NULL, 0)')->execute([$config]);
                $seq = 1;
            } else {
                $engine = $state['snapshot'] === null
                    ? new Engine((string) $db->query('SELECT config FROM tenant')->fetchColumn())
                    : Engine::restore($state['snapshot']);
                $seq = (int) $state['seq'];
                // Inputs logged after the snapshot (by worker.php --listen, which snapshots
                // every N inputs, if it stopped without its final snapshot): applied again.
                $tail = $db->prepare('SELECT seq, at, input FROM inputs WHERE seq > ? ORDER BY seq');
                $tail->execute([$seq]);
                foreach ($tail as $row) {
                    $time = new DateTimeImmutable($row['at']);
                    try {
                        $row['input'] === null ? $engine->advance($time)
                            : $engine->handle($time, json_decode($row['input'], true, 512, JSON_THROW_ON_ERROR));
                    } catch (EngineError) {
                        // refused then too: its timers fired, nothing else
                    }
                    $seq = (int) $row['seq'];
                }
                $seq++;
            }
            $error = null;
            $time = new DateTimeImmutable($now);
            try {
                $actions = $input === null ? $engine->advance($time) : $engine->handle($time, $input);
            } catch (EngineError $e) {
                // Rejected: the input changed nothing, but the timers due by $now fired.
                $actions = $e->getActions();
                $error = ['kind' => $e->getKind(), 'message' => $e->getMessage()];
            }
            $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR;
            $db->prepare('INSERT INTO inputs (seq, request, at, input, actions, error) VALUES (?, ?, ?, ?, ?, ?)')
                ->execute([$seq, $requestId, $now, $input === null ? null : json_encode($input, $flags),
                    json_encode($actions, $flags), $error === null ? null : json_encode($error, $flags)]);
            $update = $db->prepare('UPDATE tenant SET snapshot = ?, seq = ?');
            $update->bindValue(1, $engine->snapshot(), PDO::PARAM_LOB);
            $update->bindValue(2, $seq, PDO::PARAM_INT);
            $update->execute();
            $db->exec('COMMIT');
            $open = false;
        } catch (Throwable $e) {
            if ($open) {
                $db->exec('ROLLBACK');
            }
            throw $e;
        }
        return ['seq' => $seq, 'at' => $now, 'actions' => $actions, 'error' => $error, 'repeated' => false];
    } finally {
        flock($lock, LOCK_UN);
        fclose($lock);
    }
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    if ($argc < 5) {
        fwrite(STDERR, "usage: php request.php STATE_DIR TENANT CONFIG.json INPUT-JSON|tick [AT]\n");
        exit(2);
    }
    $input = $argv[4] === 'tick' ? null : json_decode($argv[4], true, 512, JSON_THROW_ON_ERROR);
    is_dir($argv[1]) || mkdir($argv[1], 0777, true);
    $result = handle_request($argv[1], $argv[2], $argv[3], $input, $argv[5] ?? null);
    echo json_encode($result, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
    exit($result['error'] === null ? 0 : 1);
}
