<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use DateTimeImmutable;
use DateTimeZone;
use OpenLines\Engine;
use PHPUnit\Framework\TestCase;

/** The API of OpenLines\Engine: inputs, ticks, deadlines, views, batches, texts. */
final class EngineTest extends TestCase
{
    use Support;

    public function testActionsAreShapedAsTheContract(): void
    {
        $engine = self::engine();
        $actions = $engine->handle(self::time(), self::message());
        self::assertSame([
            ['type' => 'dialog_opened', 'dialog' => 1, 'line' => 'sales', 'client' => 'tg:42'],
            ['type' => 'offer', 'dialog' => 1, 'operators' => ['ann'], 'expires_at' => '2026-11-23T09:01:00Z'],
        ], $actions);
        self::assertSame(
            [['type' => 'assigned', 'dialog' => 1, 'operator' => 'ann', 'reason' => 'accepted']],
            $engine->handle(self::time(5), ['type' => 'accept', 'dialog' => 1, 'operator' => 'ann'])
        );
        $closed = $engine->handle(self::time(65), ['type' => 'close', 'dialog' => 1, 'operator' => 'ann']);
        self::assertSame(['dialog_closed'], self::types($closed));
        self::assertSame('operator', $closed[0]['reason']);
        self::assertSame(
            ['first_response_secs', 'avg_response_secs', 'max_response_secs', 'client_messages',
             'operator_messages', 'rating', 'unanswered'],
            array_keys($closed[0]['stats'])
        );
        self::assertSame(1, $closed[0]['stats']['client_messages']);
        self::assertNull($closed[0]['stats']['rating']);
    }

    public function testConfigAsJsonTextEqualsConfigAsArray(): void
    {
        $fromText = new Engine(json_encode(self::simpleConfig()));
        $fromArray = self::engine();
        self::assertSame(
            $fromArray->handle(self::time(), self::message()),
            $fromText->handle(self::time(), self::message())
        );
        self::assertSame($fromArray->snapshot(), $fromText->snapshot());
    }

    public function testTicksAtTheDeadlineMoveTheOffer(): void
    {
        $engine = self::engine();
        self::assertNull($engine->nextDeadline());
        self::assertNull($engine->now());
        $engine->handle(self::time(), self::message());
        $deadline = $engine->nextDeadline();
        self::assertInstanceOf(DateTimeImmutable::class, $deadline);
        self::assertSame('UTC', $deadline->getTimezone()->getName());
        self::assertSame('2026-11-23T09:01:00.000Z', $deadline->format('Y-m-d\TH:i:s.v\Z'));
        self::assertSame([], $engine->advance(self::time(30)), 'a spurious tick does nothing');
        self::assertSame(
            [
                ['type' => 'offer_withdrawn', 'dialog' => 1, 'operator' => 'ann', 'reason' => 'timeout'],
                ['type' => 'offer', 'dialog' => 1, 'operators' => ['bob'], 'expires_at' => '2026-11-23T09:02:00Z'],
            ],
            $engine->advance($deadline)
        );
        self::assertEquals(self::time(60), $engine->now());
    }

    public function testAnyTimeZoneAndMillisecondsAreTheSameInstant(): void
    {
        $engine = self::engine();
        $warsaw = new DateTimeImmutable('2026-11-23 10:00:00.250', new DateTimeZone('Europe/Warsaw'));
        $engine->handle($warsaw, self::message());
        self::assertSame('2026-11-23T09:00:00.250000+00:00', $engine->now()->format('Y-m-d\TH:i:s.uP'));
        self::assertSame('2026-11-23T09:01:00.250000+00:00', $engine->nextDeadline()->format('Y-m-d\TH:i:s.uP'));
        // \DateTime (mutable) works as well.
        self::assertSame([], $engine->advance(new \DateTime('2026-11-23T09:00:30Z')));
    }

    public function testViews(): void
    {
        $engine = self::engine();
        $engine->handle(self::time(), self::message());
        $dialog = $engine->dialog(1);
        self::assertSame(1, $dialog['dialog']);
        self::assertSame('sales', $dialog['line']);
        self::assertSame('tg:42', $dialog['client']);
        self::assertSame('offered', $dialog['status']);
        self::assertNull($engine->dialog(2));
        self::assertSame('ann', $engine->operator('ann')['operator']);
        self::assertNull($engine->operator('zed'));
        self::assertSame('sales', $engine->queue('sales')['line']);
        self::assertSame([], $engine->queue('sales')['waiting']);
        self::assertNull($engine->queue('nope'));
        $stats = $engine->stats('sales');
        self::assertSame(1, $stats['open']);
        self::assertSame(1, $stats['offered']);
        self::assertNull($engine->stats('nope'));
        $explain = $engine->explain(1);
        self::assertSame(1, $explain['dialog']);
        self::assertSame(['ann', 'bob'], array_column($explain['operators'], 'operator'));
        self::assertNull($engine->explain(9));
    }

    public function testHandleManyEqualsALoop(): void
    {
        $steps = [
            [self::time(), self::message('a')],
            [self::time(10), self::message('b')],
            [self::time(61), null],
            [self::time(70), ['type' => 'accept', 'dialog' => 1, 'operator' => 'bob']],
        ];
        $loop = self::engine();
        $expected = [];
        foreach ($steps as [$at, $input]) {
            $expected[] = $input === null ? $loop->advance($at) : $loop->handle($at, $input);
        }
        $batch = self::engine();
        self::assertSame($expected, $batch->handleMany($steps));
        self::assertSame($loop->snapshot(), $batch->snapshot());
        self::assertCount(4, $expected);
        // At 70 s dialog 2's offer to bob expires first, then bob takes dialog 1.
        self::assertSame(['offer_withdrawn', 'offer', 'assigned'], self::types($expected[3]));
    }

    public function testUtf8TextsPassThroughUnchanged(): void
    {
        $texts = ['Здравствуйте! Оператор скоро ответит.', '您好，请稍候', 'مرحبا', 'Grüß Gott 👋🏽 — ok?', "quote \" backslash \\ newline\n tab\t"];
        foreach ($texts as $text) {
            $config = self::simpleConfig();
            $config['lines'][0]['greeting'] = ['text' => $text];
            $config['lines'][0]['id'] = 'линия-💬';
            $config['operators'][0]['id'] = 'Анна';
            $config['lines'][0]['queue']['operators'] = ['Анна'];
            $engine = self::engine($config);
            $actions = $engine->handle(self::time(), ['type' => 'client_message', 'line' => 'линия-💬', 'client' => 'tg:Иван', 'text' => $text]);
            self::assertSame(['type' => 'dialog_opened', 'dialog' => 1, 'line' => 'линия-💬', 'client' => 'tg:Иван'], $actions[0]);
            self::assertSame(['type' => 'send_message', 'dialog' => 1, 'kind' => 'greeting', 'text' => $text], $actions[1]);
            self::assertSame(['Анна'], $actions[2]['operators']);
            self::assertSame('Анна', $engine->operator('Анна')['operator']);
            self::assertSame(1, $engine->stats('линия-💬')['open']);
        }
    }

    public function testLibraryVersion(): void
    {
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', self::engine()->libraryVersion());
    }
}
