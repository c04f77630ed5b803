<?php

/**
 * A per-request openlines handler, the way a PHP-FPM (shared-nothing) application has to
 * do it: every request restores the tenant's engine, applies its one input and stores a
 * new snapshot, all under a per-tenant lock.
 *
 *   php examples/php/request.php STATE_DIR TENANT CONFIG.json INPUT-JSON [AT]
 *
 * prints the actions as a JSON array. AT (RFC 3339) replaces the wall clock, for tests.
 *
 * The cost is restore + snapshot of the whole tenant on every request, linear in its
 * open dialogs (measured in php/README.md); timers only fire when a request comes or a
 * cron job calls the same function with a tick. Past a few thousand open dialogs per
 * tenant, or when ticks must be on time, run examples/php/worker.php instead.
 */

declare(strict_types=1);

use OpenLines\Engine;
use OpenLines\Exception as EngineError;

$composer = getcwd() . '/vendor/autoload.php';
require is_file($composer) ? $composer : __DIR__ . '/../../php/autoload.php';

/**
 * Apply one input (null: a clock tick) to a tenant's engine stored in $stateDir.
 *
 * The lock makes restore -> handle -> snapshot atomic per tenant (two requests of one
 * tenant at once would otherwise both start from the same snapshot and one would lose
 * the other's input). The time is stamped inside the lock, so that inputs reach the
 * engine in time order; stamped before it, a request that waited for the lock could
 * carry an earlier time than the one that held it and be refused as
 * time_went_backwards. With a database instead of files: SELECT the snapshot
 * ... FOR UPDATE in a transaction, then UPDATE it and COMMIT.
 *
 * @return array{actions: list<array<string, mixed>>, error: ?array{kind: string, message: string}}
 */
function handle_request(string $stateDir, string $tenant, string $configFile, ?array $input, ?string $at = null): array
{
    $lock = fopen("$stateDir/$tenant.lock", 'c');
    flock($lock, LOCK_EX);
    try {
        $now = new DateTimeImmutable($at ?? 'now'); // stamped inside the lock
        $snapshotFile = "$stateDir/$tenant.snapshot";
        $engine = is_file($snapshotFile)
            ? Engine::restore((string) file_get_contents($snapshotFile))
            : new Engine((string) file_get_contents($configFile));
        $error = null;
        try {
            $actions = $input === null ? $engine->advance($now) : $engine->handle($now, $input);
        } catch (EngineError $e) {
            // Rejected: the input changed nothing, but the timers due by $now fired.
            $actions = $e->getActions();
            $error = ['kind' => $e->getKind(), 'message' => $e->getMessage()];
        }
        $tmp = "$snapshotFile.tmp";
        file_put_contents($tmp, $engine->snapshot());
        rename($tmp, $snapshotFile);
        return ['actions' => $actions, 'error' => $error];
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
