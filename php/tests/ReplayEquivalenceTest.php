<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use DateTimeImmutable;
use OpenLines\Engine;
use OpenLines\Exception;
use PHPUnit\Framework\TestCase;

/**
 * The PHP binding and `openlines replay` (the Rust CLI) give the same actions for the
 * same inputs, on every scenario file of tests/scenarios.
 *
 * Compared: the whole sequence of actions, and which steps are rejected with which
 * error kind. (The step an action is reported at may differ around a rejected input:
 * the binding hands out the actions of the timers that fired before the rejected input
 * with its exception, a replay may report them at the next step.)
 */
final class ReplayEquivalenceTest extends TestCase
{
    use Support;

    /** @return array<string, array{string}> */
    public function scenarios(): array
    {
        $files = glob(self::repo('tests/scenarios/*.json'));
        $out = [];
        foreach ($files as $file) {
            $out[basename($file)] = [$file];
        }
        return $out;
    }

    public function testThereAreScenarios(): void
    {
        self::assertGreaterThan(20, count($this->scenarios()));
    }

    /** @dataProvider scenarios */
    public function testSameActionsAsTheReplay(string $file): void
    {
        $cli = getenv('OPENLINES_CLI') ?: self::repo('target/debug/openlines');
        if (!is_executable($cli)) {
            self::fail("the openlines CLI is not at $cli: build it (cargo build -p openlines-cli) or set OPENLINES_CLI");
        }
        exec(escapeshellarg($cli) . ' replay ' . escapeshellarg($file) . ' 2>&1', $lines, $status);
        self::assertSame(0, $status, implode("\n", $lines));
        $expectedActions = [];
        $expectedErrors = [];
        foreach ($lines as $line) {
            $record = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
            if (isset($record['error'])) {
                $expectedErrors[$record['step']] = $record['error']['kind'];
            } else {
                $expectedActions[] = $record['action'];
            }
        }

        // Decoded as objects, so that an empty JSON object stays one when encoded again
        // (as an array, {} would become []).
        $scenario = json_decode(file_get_contents($file), false, 512, JSON_THROW_ON_ERROR);
        $engine = new Engine(json_encode($scenario->config ?? new \stdClass()));
        $actions = [];
        $errors = [];
        foreach ($scenario->steps as $step => $s) {
            $at = new DateTimeImmutable($s->at);
            try {
                $got = isset($s->input) ? $engine->handle($at, (array) $s->input) : $engine->advance($at);
            } catch (Exception $e) {
                $errors[$step] = $e->getKind();
                $got = $e->getActions();
            }
            array_push($actions, ...$got);
        }
        self::assertSame($expectedErrors, $errors, 'rejected steps and their error kinds');
        self::assertSame(
            array_map('json_encode', $expectedActions),
            array_map('json_encode', $actions),
            'the actions, in order'
        );
    }
}
