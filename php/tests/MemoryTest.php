<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use OpenLines\Engine;
use OpenLines\Exception;
use PHPUnit\Framework\TestCase;

/**
 * Nothing leaks: every engine handle, actions string, view string, error message and
 * snapshot buffer the C library hands out is freed. Runs many cycles of everything and
 * watches the process's resident memory (PHP's own counters do not see C allocations).
 */
final class MemoryTest extends TestCase
{
    use Support;

    private static function rssKiB(): int
    {
        $status = file_get_contents('/proc/self/status');
        if ($status === false || !preg_match('/^VmRSS:\s+(\d+) kB/m', $status, $m)) {
            self::markTestSkipped('no /proc/self/status VmRSS on this system');
        }
        return (int) $m[1];
    }

    /** One cycle: every function that hands out memory, with 2 KB texts in the actions. */
    private static function cycle(int $i): void
    {
        $config = self::simpleConfig();
        $config['lines'][0]['greeting'] = ['text' => str_repeat("Добрый день, $i! ", 100)];
        $engine = self::engine($config);
        for ($c = 0; $c < 5; $c++) {
            $engine->handle(self::time($c), self::message("c$c"));
        }
        $engine->advance(self::time(61));
        $engine->dialog(1);
        $engine->explain(1);
        $engine->operator('ann');
        $engine->queue('sales');
        $engine->stats('sales');
        $engine->nextDeadline();
        try {
            $engine->handle(self::time(121), ['type' => 'accept', 'dialog' => 99, 'operator' => 'ann']);
        } catch (Exception $e) {
            // the error message and the timers' actions were copied and freed
        }
        $restored = Engine::restore($engine->snapshot());
        $restored->handle(self::time(122), self::message('late'));
        try {
            new Engine(['lines' => [['id' => str_repeat('x', 2000), 'queue' => ['distribution' => 'no']]]]);
        } catch (Exception $e) {
            // the config error message was copied and freed
        }
        try {
            Engine::restore(str_repeat('junk', 500));
        } catch (Exception $e) {
            // likewise the restore error
        }
    }

    public function testManyCyclesDoNotGrowMemory(): void
    {
        for ($i = 0; $i < 300; $i++) {
            self::cycle($i);
        }
        gc_collect_cycles();
        $before = self::rssKiB();
        $cycles = 2000;
        for ($i = 0; $i < $cycles; $i++) {
            self::cycle($i);
        }
        gc_collect_cycles();
        $growth = self::rssKiB() - $before;
        // One leaked engine or 2 KB string per cycle would be 4 MB and more.
        self::assertLessThan(1536, $growth, "resident memory grew by $growth KiB over $cycles cycles");
    }
}
