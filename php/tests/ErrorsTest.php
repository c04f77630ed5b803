<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use OpenLines\ConfigException;
use OpenLines\Engine;
use OpenLines\Exception;
use OpenLines\InputException;
use OpenLines\NotAllowedException;
use OpenLines\SnapshotException;
use OpenLines\TimeException;
use OpenLines\UnknownIdException;
use PHPUnit\Framework\TestCase;

/** Errors: their classes, kinds and messages; rejected inputs keep their timers' actions. */
final class ErrorsTest extends TestCase
{
    use Support;

    /** Run $call; return the OpenLines exception it throws (fails if it throws none). */
    private static function caught(callable $call): Exception
    {
        try {
            $call();
        } catch (Exception $e) {
            return $e;
        }
        self::fail('no exception was thrown');
    }

    public function testEveryKindHasItsClassAndAMessageNamingTheCulprit(): void
    {
        $engine = self::engine();
        $engine->handle(self::time(), self::message());
        $cases = [
            [['type' => 'accept', 'dialog' => 9, 'operator' => 'ann'], UnknownIdException::class, 'unknown_dialog', '9'],
            [['type' => 'accept', 'dialog' => 1, 'operator' => 'zed'], UnknownIdException::class, 'unknown_operator', 'zed'],
            [['type' => 'client_message', 'line' => 'nope', 'client' => 'c'], UnknownIdException::class, 'unknown_line', 'nope'],
            [['type' => 'close', 'dialog' => 1, 'operator' => 'bob'], NotAllowedException::class, 'not_allowed', 'bob'],
            [['type' => 'accept', 'operator' => 'ann'], InputException::class, 'invalid_input', 'dialog'],
            [['type' => 'wave'], InputException::class, 'invalid_input', '"wave"'],
            [['type' => 'rate', 'dialog' => 1, 'score' => 9], InputException::class, 'invalid_input', 'score'],
        ];
        // A rejected input commits its time (like a tick): compare from that time on.
        $engine->advance(self::time(1));
        $before = $engine->snapshot();
        foreach ($cases as [$input, $class, $kind, $needle]) {
            $e = self::caught(static fn () => $engine->handle(self::time(1), $input));
            self::assertInstanceOf($class, $e, json_encode($input));
            self::assertSame($kind, $e->getKind(), json_encode($input));
            self::assertStringContainsString($needle, $e->getMessage(), json_encode($input));
            self::assertSame([], $e->getActions(), 'no timer was due');
            self::assertNull($e->getIndex());
        }
        self::assertSame($before, $engine->snapshot(), 'rejected inputs changed nothing');
    }

    public function testIdsFromTheDatabaseAsStringsAreNamedInWords(): void
    {
        $engine = self::engine();
        $engine->handle(self::time(), self::message());
        $e = self::caught(static fn () => $engine->handle(self::time(), ['type' => 'accept', 'dialog' => '1', 'operator' => 'ann']));
        self::assertInstanceOf(InputException::class, $e);
        // before: dialog: must be a number, got the string "1"
        self::assertSame('dialog: "1" is not a dialog id (a whole number, e.g. 7)', $e->getMessage());
        self::assertSame(
            [['loc' => ['dialog'], 'msg' => '"1" is not a dialog id (a whole number, e.g. 7)', 'type' => 'invalid_type']],
            $e->errors()
        );
        // The documented fix: cast with (int).
        self::assertSame(['assigned'], self::types($engine->handle(self::time(), ['type' => 'accept', 'dialog' => (int) '1', 'operator' => 'ann'])));
    }

    public function testRejectedInputStillReturnsTheActionsOfItsTimers(): void
    {
        $engine = self::engine();
        $engine->handle(self::time(), self::message());
        // At +61 s ann's offer has expired and bob's is on; ann's accept is refused, but
        // the expiry happened (time is committed) and its actions are not lost.
        $e = self::caught(static fn () => $engine->handle(self::time(61), ['type' => 'accept', 'dialog' => 1, 'operator' => 'ann']));
        self::assertInstanceOf(NotAllowedException::class, $e);
        self::assertSame(
            [
                ['type' => 'offer_withdrawn', 'dialog' => 1, 'operator' => 'ann', 'reason' => 'timeout'],
                ['type' => 'offer', 'dialog' => 1, 'operators' => ['bob'], 'expires_at' => '2026-11-23T09:02:00Z'],
            ],
            $e->getActions()
        );
        self::assertEquals(self::time(61), $engine->now());
        self::assertSame([], $engine->advance(self::time(61)), 'the timers fired once');
        self::assertSame('offered', $engine->dialog(1)['status']);
        self::assertSame(['bob'], $engine->dialog(1)['offered_to']);
    }

    public function testAnInputPhpCannotEncodeIsRejectedLikeAnyOther(): void
    {
        $engine = self::engine();
        $engine->handle(self::time(), self::message());
        $e = self::caught(static fn () => $engine->handle(self::time(60), self::message('tg:42', "bad \xC3 byte")));
        self::assertInstanceOf(InputException::class, $e);
        self::assertStringContainsString('not valid UTF-8', $e->getMessage());
        self::assertSame(['offer_withdrawn', 'offer'], self::types($e->getActions()));
    }

    public function testTimeGoingBackwardsChangesNothing(): void
    {
        $engine = self::engine();
        $engine->handle(self::time(60), self::message());
        $e = self::caught(static fn () => $engine->handle(self::time(0), self::message('other')));
        self::assertInstanceOf(TimeException::class, $e);
        self::assertSame('time_went_backwards', $e->getKind());
        self::assertSame([], $e->getActions());
        $e = self::caught(static fn () => $engine->advance(self::time(59)));
        self::assertInstanceOf(TimeException::class, $e);
        self::assertEquals(self::time(60), $engine->now());
    }

    public function testConfigErrorsListEveryProblemWithItsPath(): void
    {
        $e = self::caught(static fn () => new Engine([
            'operators' => [['id' => 'ann', 'max_dialogs' => '3']],
            'lines' => [['id' => 'sales', 'queue' => ['distribution' => 'evenlyy']]],
        ]));
        self::assertInstanceOf(ConfigException::class, $e);
        self::assertSame('invalid_config', $e->getKind());
        self::assertStringContainsString('operators[0].max_dialogs: "3" is not a whole number (0 or more)', $e->getMessage());
        // Every problem, structured like Python's ConfigError.errors().
        self::assertSame([
            ['loc' => ['operators', 0, 'max_dialogs'], 'msg' => '"3" is not a whole number (0 or more)', 'type' => 'invalid_type'],
            [
                'loc' => ['lines', 0, 'queue', 'distribution'],
                'msg' => '"evenlyy" is not one of evenly, strict, all, least_busy, longest_idle',
                'type' => 'invalid_value',
            ],
        ], $e->errors());
        $e = self::caught(static fn () => new Engine('{"lines": [{"id": "s", "queue": {"forward_after_secs": 0}}]}'));
        self::assertInstanceOf(ConfigException::class, $e);
        self::assertStringContainsString('lines[0].queue.forward_after_secs: must be at least 1 (got 0)', $e->getMessage());
        $e = self::caught(static fn () => new Engine('not json'));
        self::assertInstanceOf(ConfigException::class, $e);
        self::assertSame([[], 'syntax'], [$e->errors()[0]['loc'], $e->errors()[0]['type']]);
        self::assertStringStartsWith('line 1, column 2: ', $e->errors()[0]['msg']);
        // Errors that are not about a field have none.
        $engine = self::engine();
        $e = self::caught(static fn () => $engine->handle(self::time(), ['type' => 'accept', 'dialog' => 99, 'operator' => 'ann']));
        self::assertSame('unknown_dialog', $e->getKind());
        self::assertSame([], $e->errors());
    }

    public function testSnapshotErrors(): void
    {
        $e = self::caught(static fn () => Engine::restore('not a snapshot'));
        self::assertInstanceOf(SnapshotException::class, $e);
        self::assertSame('snapshot_version', $e->getKind());
        $bytes = self::engine()->snapshot();
        $corrupt = substr($bytes, 0, -1) . chr(ord($bytes[strlen($bytes) - 1]) ^ 1);
        self::assertInstanceOf(SnapshotException::class, self::caught(static fn () => Engine::restore($corrupt)));
        self::assertInstanceOf(SnapshotException::class, self::caught(static fn () => Engine::restore('')));
    }

    public function testHandleManyReportsTheIndexAndEveryActionBeforeTheFailure(): void
    {
        $engine = self::engine();
        $e = self::caught(static fn () => $engine->handleMany([
            [self::time(), self::message()],
            [self::time(61), ['type' => 'accept', 'dialog' => 7, 'operator' => 'ann']],
            [self::time(62), self::message('never')],
        ]));
        self::assertInstanceOf(UnknownIdException::class, $e);
        self::assertSame(1, $e->getIndex());
        self::assertSame(['dialog_opened', 'offer', 'offer_withdrawn', 'offer'], self::types($e->getActions()));
        self::assertNull($engine->dialog(2), 'the steps after the failure were not applied');
        $e = self::caught(static fn () => $engine->handleMany([[self::time(70), null], ['not a step']]));
        self::assertInstanceOf(InputException::class, $e);
        self::assertSame(1, $e->getIndex());
        self::assertStringContainsString('steps[1]', $e->getMessage());
    }

    public function testAMissingLibraryIsNamed(): void
    {
        $saved = getenv('OPENLINES_LIB');
        putenv('OPENLINES_LIB');
        try {
            $e = self::caught(static fn () => new Engine(self::simpleConfig(), '/nonexistent/libopenlines.so.0'));
            self::assertSame(Exception::class, get_class($e));
            self::assertStringContainsString('/nonexistent/libopenlines.so.0', $e->getMessage());
            self::assertStringContainsString('OPENLINES_LIB', $e->getMessage());
        } finally {
            putenv($saved === false ? 'OPENLINES_LIB' : "OPENLINES_LIB=$saved");
        }
    }
}
