<?php

/**
 * After the load and fault test: checks each tenant database of examples/php/request.php
 * against `openlines replay` of its logged inputs and against what the clients were told.
 *
 *   php php/tests/fpm/verify.php STATE_DIR CLIENT_RECORDS.jsonl OPENLINES_CLI
 *
 * CLIENT_RECORDS has one line per request id the clients sent, with the answer they
 * finally got ({"tenant", "id", "seq", "at", "actions", "error"}). Prints "ok: CHECK" or
 * "FAILED: CHECK: why" per check; exits 1 if any failed.
 */

declare(strict_types=1);

require __DIR__ . '/../../../examples/php/request.php';

use OpenLines\Engine;

[, $stateDir, $recordsFile, $cli] = $argv;
$failed = 0;
function check(bool $ok, string $what, string $why = ''): void
{
    global $failed;
    echo $ok ? "ok: $what\n" : "FAILED: $what: $why\n";
    $failed += $ok ? 0 : 1;
}

/** Canonical JSON of a decoded value (key order kept: the engine's order is the contract's). */
function canon(mixed $value): string
{
    return json_encode($value, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
}

$records = [];
foreach (file($recordsFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    $r = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    $records[$r['tenant']][$r['id']] = $r;
}
ksort($records);
check($records !== [], 'the clients recorded answers');

foreach ($records as $tenant => $answers) {
    $db = open_tenant_db($stateDir, $tenant);
    $state = $db->query('SELECT config, snapshot, seq FROM tenant')->fetch(PDO::FETCH_ASSOC);
    $rows = $db->query('SELECT seq, request, at, input, actions, error FROM inputs ORDER BY seq')->fetchAll(PDO::FETCH_ASSOC);
    $n = count($rows);
    check($state !== false && $n > 0 && (int) $state['seq'] === $n && (int) $rows[$n - 1]['seq'] === $n,
        "$tenant: inputs 1..$n logged without a gap, the snapshot is of input $n",
        'stored seq ' . ($state['seq'] ?? 'none') . ", last logged " . ($rows[$n - 1]['seq'] ?? 'none'));

    // Every request the clients sent is in the log exactly once, with the answer they got.
    $byRequest = [];
    foreach ($rows as $row) {
        if ($row['request'] !== null) {
            $byRequest[$row['request']][] = $row;
        }
    }
    $twice = array_filter($byRequest, static fn ($r) => count($r) > 1);
    $lost = array_diff_key($answers, $byRequest);
    $unknown = array_diff_key($byRequest, $answers);
    check($twice === [] && $lost === [] && $unknown === [],
        "$tenant: each of the " . count($answers) . ' requests applied exactly once',
        count($lost) . ' lost (e.g. ' . json_encode(array_slice(array_keys($lost), 0, 3)) . '), '
        . count($twice) . ' applied twice, ' . count($unknown) . ' not sent by a client');
    $differ = [];
    foreach ($answers as $id => $answer) {
        $row = $byRequest[$id][0] ?? null;
        if ($row !== null && ((int) $row['seq'] !== $answer['seq'] || $row['at'] !== $answer['at']
            || $row['actions'] !== canon($answer['actions'])
            || $row['error'] !== ($answer['error'] === null ? null : canon($answer['error'])))) {
            $differ[] = $id;
        }
    }
    check($differ === [], "$tenant: each client was told what the log holds", count($differ) . ' differ, e.g. ' . ($differ[0] ?? ''));

    // The host rule: time read inside the lock, so never backwards.
    $backwards = array_filter($rows, static fn ($r) => $r['error'] !== null && json_decode($r['error'], true)['kind'] === 'time_went_backwards');
    $unordered = 0;
    for ($i = 1; $i < $n; $i++) {
        $unordered += strcmp($rows[$i]['at'], $rows[$i - 1]['at']) < 0 ? 1 : 0;
    }
    check($backwards === [] && $unordered === 0, "$tenant: no time_went_backwards, times in log order",
        count($backwards) . ' refused as time_went_backwards, ' . $unordered . ' out of order');

    // openlines replay of the logged inputs gives, step by step, what was logged.
    $scenario = tempnam(sys_get_temp_dir(), 'openlines-verify-');
    $steps = [];
    foreach ($rows as $row) {
        $step = ['at' => $row['at']];
        if ($row['input'] !== null) {
            $step['input'] = json_decode($row['input'], true, 512, JSON_THROW_ON_ERROR);
        }
        $steps[] = $step;
    }
    file_put_contents($scenario, canon(['config' => json_decode($state['config'], true), 'steps' => $steps]));
    exec(escapeshellarg($cli) . ' replay ' . escapeshellarg($scenario) . ' 2>&1', $out, $status);
    unlink($scenario);
    $replayed = array_fill(0, $n, ['actions' => [], 'error' => null]);
    foreach ($out as $line) {
        $r = json_decode($line, true);
        if (!is_array($r) || !isset($r['step'])) {
            continue;
        }
        if (isset($r['action'])) {
            $replayed[$r['step']]['actions'][] = $r['action'];
        } else {
            $replayed[$r['step']]['error'] = $r['error'];
        }
    }
    $mismatch = null;
    foreach ($rows as $i => $row) {
        $want = $replayed[$i];
        if (canon($want['actions']) !== $row['actions'] || ($want['error'] === null ? null : canon($want['error'])) !== $row['error']) {
            $mismatch = "step $i (seq {$row['seq']}): replay " . canon($want) . ' / logged ' . $row['actions'] . ' ' . $row['error'];
            break;
        }
    }
    check($status === 0 && $mismatch === null, "$tenant: openlines replay of the $n logged inputs gives the logged actions and errors",
        $status !== 0 ? 'replay failed: ' . implode("\n", array_slice($out, 0, 5)) : (string) $mismatch);
    unset($out);

    // The stored state is the state the logged inputs lead to (and restores whole).
    $engine = new Engine($state['config']);
    foreach ($rows as $row) {
        $at = new DateTimeImmutable($row['at']);
        try {
            $row['input'] === null ? $engine->advance($at) : $engine->handle($at, json_decode($row['input'], true));
        } catch (OpenLines\Exception) {
        }
    }
    $restored = Engine::restore($state['snapshot']);
    check($engine->snapshot() === $state['snapshot'] && $restored->snapshot() === $state['snapshot'],
        "$tenant: the stored snapshot equals the replayed state (" . strlen($state['snapshot']) . ' bytes)',
        'the stored state differs from the replay of its log');
}
exit($failed === 0 ? 0 : 1);
