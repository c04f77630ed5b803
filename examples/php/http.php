<?php

/**
 * The web front of the per-request host (examples/php/request.php) for nginx + php-fpm.
 *
 *   POST /tenants/<tenant>/inputs
 *   {"id": "req-123", "input": {"type": "client_message", ...}}     an input
 *   {"id": "req-124", "tick": true}                                  a clock tick (cron)
 *
 *   200 {"seq": 7, "at": "2026-11-23T09:00:00.123Z", "actions": [...], "error": null,
 *        "repeated": false}
 *
 * "actions" are the contract's action objects; "error" is {"kind", "message"} when the
 * engine refused the input (it changed nothing, but the timers due by "at" fired: their
 * actions are in "actions"). "id" is optional and is an idempotency key: the same id
 * again (a retry after a lost response) returns the stored answer with "repeated": true
 * and applies nothing. (tenant, seq, index in actions) identifies each action for
 * carrying it out exactly once. 400: not JSON or not this shape; 404: no such tenant.
 *
 * nginx passes where things are as FastCGI parameters (see php/README.md):
 *   fastcgi_param OPENLINES_STATE   /var/lib/openlines;   # tenant databases (writable)
 *   fastcgi_param OPENLINES_TENANTS /etc/openlines/tenants; # <tenant>.json configs
 */

declare(strict_types=1);

require_once __DIR__ . '/request.php';

/** Send a JSON answer and stop. */
function reply(int $status, array $body): never
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
    exit;
}

function fail(int $status, string $kind, string $message): never
{
    reply($status, ['error' => ['kind' => $kind, 'message' => $message]]);
}

$stateDir = $_SERVER['OPENLINES_STATE'] ?? '';
$tenantsDir = $_SERVER['OPENLINES_TENANTS'] ?? '';
if ($stateDir === '' || $tenantsDir === '' || !is_dir($stateDir) || !is_dir($tenantsDir)) {
    fail(500, 'server', 'set the FastCGI parameters OPENLINES_STATE (a writable directory) and OPENLINES_TENANTS (the configs)');
}
$path = (string) parse_url($_SERVER['REQUEST_URI'] ?? '', PHP_URL_PATH);
if (preg_match('#^/tenants/([^/]+)/inputs$#', $path, $m) !== 1) {
    fail(404, 'not_found', "no such resource: $path (POST /tenants/<tenant>/inputs)");
}
$tenant = rawurldecode($m[1]);
if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    fail(405, 'method', 'use POST');
}
$configFile = "$tenantsDir/$tenant.json";
if (!valid_tenant($tenant) || !is_file($configFile)) {
    fail(404, 'unknown_tenant', 'no such tenant: ' . json_encode($tenant));
}
$request = parse_input_body((string) file_get_contents('php://input'));
if (is_string($request)) {
    fail(400, 'invalid_request', $request);
}

try {
    reply(200, handle_request($stateDir, $tenant, $configFile, $request['input'], null, $request['id']));
} catch (OpenLines\Exception $e) {
    // Not the input (its errors come back in "error"): the library or a stored snapshot.
    error_log("openlines: tenant $tenant: {$e->getKind()}: {$e->getMessage()}");
    fail(500, $e->getKind(), $e->getMessage());
} catch (Throwable $e) {
    error_log("openlines: tenant $tenant: $e");
    fail(500, 'server', get_class($e) . ': ' . $e->getMessage());
}
