<?php

/**
 * The cost of the shared-nothing (PHP-FPM) way of hosting openlines: every request
 * restores the tenant's engine from its snapshot, applies one input and takes a new
 * snapshot. Measured for tenants with 100, 2 000 and 20 000 open dialogs.
 *
 *   OPENLINES_LIB=target/release/libopenlines.so php php/bench/request-cost.php [SIZES...]
 *
 * Each open dialog is assigned (200 operators, evenly); the measured input is a client
 * message in one of them, a different one each time. Prints, per size, the median and
 * 90th percentile of the whole request (wall clock), its median CPU time (the better
 * figure on a busy machine), the medians of its parts, and the snapshot size.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use OpenLines\Engine;

$sizes = array_map('intval', array_slice($argv, 1)) ?: [100, 2000, 20000];
$operators = [];
for ($i = 0; $i < 200; $i++) {
    $operators[] = ['id' => "op$i"];
}
$config = [
    'operators' => $operators,
    'lines' => [[
        'id' => 'sales',
        'queue' => ['operators' => array_column($operators, 'id'), 'distribution' => 'evenly'],
        'greeting' => ['text' => 'Hello! An operator will answer soon.'],
        'unanswered' => ['after_secs' => 600, 'text' => 'Please wait'],
        'auto_close' => ['after_secs' => 86400],
    ]],
];

/** A time $ms milliseconds after 2026-11-23T09:00:00Z. */
function at(int $ms): DateTimeImmutable
{
    return (new DateTimeImmutable('2026-11-23T09:00:00Z'))->modify(sprintf('+%d milliseconds', $ms));
}

/** CPU time (user + system) of this process, in ms: robust on a machine shared with other jobs. */
function cpu_ms(): float
{
    $u = getrusage();
    return ($u['ru_utime.tv_sec'] + $u['ru_stime.tv_sec']) * 1e3 + ($u['ru_utime.tv_usec'] + $u['ru_stime.tv_usec']) / 1e3;
}

function percentile(array $values, float $p): float
{
    sort($values);
    return $values[(int) floor($p * (count($values) - 1))];
}

// What a request pays without ffi.preload: parsing the declarations and loading the library.
$lib = getenv('OPENLINES_LIB') ?: OpenLines\Library::DEFAULT_PATH;
$declarations = preg_replace('/^#define FFI_\w+ .*$/m', '', (string) file_get_contents(OpenLines\Library::header($lib)));
$cdef = [];
for ($i = 0; $i < 50; $i++) {
    $t0 = hrtime(true);
    FFI::cdef($declarations, $lib);
    $cdef[] = (hrtime(true) - $t0) / 1e6;
}
printf("FFI::cdef of openlines_ffi.h (per process; none with ffi.preload): %.2f ms median\n\n", percentile($cdef, 0.5));

printf("%-13s %-10s %-23s %-12s %-12s %-10s %-12s\n", 'open dialogs', 'snapshot', 'request median (p90)', 'request CPU', 'restore', 'handle', 'snapshot()');
foreach ($sizes as $size) {
    $engine = new Engine($config);
    $ms = 0;
    for ($d = 1; $d <= $size; $d++) {
        $ms += 10;
        $offer = $engine->handle(at($ms), ['type' => 'client_message', 'line' => 'sales', 'client' => "c$d", 'text' => 'hi']);
        $operator = end($offer)['operators'][0];
        $engine->handle(at($ms), ['type' => 'accept', 'dialog' => $d, 'operator' => $operator]);
    }
    $bytes = $engine->snapshot();
    unset($engine);
    $reps = max(10, min(300, intdiv(200000, $size)));
    $total = $restore = $handle = $snapshot = $cpu = [];
    for ($r = 0; $r < $reps; $r++) {
        $ms += 1000;
        $c0 = cpu_ms();
        $t0 = hrtime(true);
        $engine = Engine::restore($bytes);
        $t1 = hrtime(true);
        $engine->handle(at($ms), ['type' => 'client_message', 'line' => 'sales', 'client' => 'c' . (1 + $r % $size), 'text' => 'more']);
        $t2 = hrtime(true);
        $bytes = $engine->snapshot();
        $t3 = hrtime(true);
        unset($engine);
        $cpu[] = cpu_ms() - $c0;
        $restore[] = ($t1 - $t0) / 1e6;
        $handle[] = ($t2 - $t1) / 1e6;
        $snapshot[] = ($t3 - $t2) / 1e6;
        $total[] = ($t3 - $t0) / 1e6;
    }
    printf(
        "%-13d %-10s %-23s %-12s %-12s %-10s %-12s\n",
        $size,
        sprintf('%.0f KB', strlen($bytes) / 1024),
        sprintf('%.2f ms (%.2f ms)', percentile($total, 0.5), percentile($total, 0.9)),
        sprintf('%.2f ms', percentile($cpu, 0.5)),
        sprintf('%.2f ms', percentile($restore, 0.5)),
        sprintf('%.3f ms', percentile($handle, 0.5)),
        sprintf('%.2f ms', percentile($snapshot, 0.5))
    );
}
