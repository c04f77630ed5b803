<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use OpenLines\Engine;
use PHPUnit\Framework\TestCase;

/** snapshot() / Engine::restore(): a restored engine behaves exactly like the original. */
final class SnapshotTest extends TestCase
{
    use Support;

    public function testRoundTripThenTheSameFuture(): void
    {
        $config = self::simpleConfig();
        $config['lines'][0]['unanswered'] = ['after_secs' => 300, 'text' => 'Подождите, пожалуйста'];
        $config['lines'][0]['auto_close'] = ['after_secs' => 600, 'text' => 'bye'];
        $original = self::engine($config);
        $original->handle(self::time(), self::message('a'));
        $original->handle(self::time(20), self::message('b'));
        $original->handle(self::time(30), ['type' => 'accept', 'dialog' => 1, 'operator' => 'ann']);
        $bytes = $original->snapshot();
        self::assertIsString($bytes);
        self::assertGreaterThan(16, strlen($bytes));

        $restored = Engine::restore($bytes);
        self::assertSame($bytes, $restored->snapshot(), 'the snapshot of a restored engine is the same bytes');
        self::assertEquals($original->nextDeadline(), $restored->nextDeadline());
        self::assertEquals($original->now(), $restored->now());
        self::assertSame($original->dialog(1), $restored->dialog(1));
        self::assertSame($original->stats('sales'), $restored->stats('sales'));

        // The same inputs from here give the same actions, timers included.
        $future = [
            [self::time(40), ['type' => 'operator_message', 'dialog' => 1, 'operator' => 'ann']],
            [self::time(400), null],
            [self::time(1300), null],
            [self::time(1301), self::message('a', 'back again')],
        ];
        $a = $original->handleMany($future);
        $b = $restored->handleMany($future);
        self::assertSame($a, $b);
        self::assertContains('mark_unanswered', self::types(array_merge(...$a)));
        self::assertContains('dialog_closed', self::types(array_merge(...$a)));
        self::assertSame($original->snapshot(), $restored->snapshot());
    }
}
