<?php

/**
 * Served by php-fpm in php/tests/fpm/: creates an engine through whatever FFI set-up
 * the server has and handles one input. Prints {"ok": true, "actions": [...], "sapi"}
 * or {"ok": false, "kind", "message"} (the exception the package throws).
 */

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

header('Content-Type: application/json');
try {
    $engine = new OpenLines\Engine(['lines' => [['id' => 's']]]);
    $actions = $engine->handle(new DateTimeImmutable('2026-11-23T09:00:00Z'),
        ['type' => 'client_message', 'line' => 's', 'client' => 'x']);
    echo json_encode(['ok' => true, 'actions' => $actions, 'sapi' => PHP_SAPI, 'ffi' => ini_get('ffi.enable')]);
} catch (OpenLines\Exception $e) {
    echo json_encode(['ok' => false, 'kind' => $e->getKind(), 'message' => $e->getMessage(), 'sapi' => PHP_SAPI]);
}
