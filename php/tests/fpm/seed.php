<?php

/**
 * Seeds a tenant database of examples/php/request.php with N open dialogs, each
 * assigned, as if N clients had written and operators had accepted over the last
 * minutes (the inputs are logged, so the tenant can still be checked against
 * `openlines replay`). For the HTTP benchmark of php/tests/fpm/fpm_test.py.
 *
 *   php php/tests/fpm/seed.php STATE_DIR TENANT CONFIG.json N
 */

declare(strict_types=1);

require __DIR__ . '/../../../examples/php/request.php';

use OpenLines\Engine;

[, $stateDir, $tenant, $configFile, $count] = $argv;
$count = (int) $count;
$config = (string) file_get_contents($configFile);
$db = open_tenant_db($stateDir, $tenant);
$db->exec('BEGIN IMMEDIATE');
if ($db->query('SELECT COUNT(*) FROM tenant')->fetchColumn() > 0) {
    fwrite(STDERR, "seed.php: tenant $tenant already exists\n");
    exit(1);
}
$engine = new Engine($config);
$insert = $db->prepare('INSERT INTO inputs (seq, request, at, input, actions, error) VALUES (?, NULL, ?, ?, ?, NULL)');
$start = (new DateTimeImmutable('now'))->modify('-' . (2 * $count + 1000) . ' milliseconds');
$seq = 0;
$ms = 0;
$log = static function (array $input) use ($engine, $insert, $start, &$seq, &$ms): array {
    $at = engine_time($start->modify("+$ms milliseconds"));
    $ms++;
    $actions = $engine->handle(new DateTimeImmutable($at), $input);
    $insert->execute([++$seq, $at, json_encode($input, JSON_UNESCAPED_SLASHES), json_encode($actions, JSON_UNESCAPED_SLASHES)]);
    return $actions;
};
for ($d = 1; $d <= $count; $d++) {
    $actions = $log(['type' => 'client_message', 'line' => 'sales', 'client' => "seed$d", 'text' => 'hi']);
    $offer = array_values(array_filter($actions, static fn ($a) => $a['type'] === 'offer'))[0] ?? null;
    if ($offer === null) {
        fwrite(STDERR, "seed.php: dialog $d was not offered: " . json_encode($actions) . "\n");
        exit(1);
    }
    $log(['type' => 'accept', 'dialog' => $offer['dialog'], 'operator' => $offer['operators'][0]]);
}
$stmt = $db->prepare('INSERT INTO tenant (id, config, snapshot, seq) VALUES (1, ?, ?, ?)');
$stmt->bindValue(1, $config);
$stmt->bindValue(2, $engine->snapshot(), PDO::PARAM_LOB);
$stmt->bindValue(3, $seq, PDO::PARAM_INT);
$stmt->execute();
$db->exec('COMMIT');
echo "seeded $tenant: $count open dialogs, $seq inputs\n";
