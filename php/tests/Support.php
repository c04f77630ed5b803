<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use DateTimeImmutable;
use OpenLines\Engine;

/** Shared configs and helpers of the tests. */
trait Support
{
    /** Two operators in one line, offers expiring after 60 s. */
    protected static function simpleConfig(): array
    {
        return [
            'operators' => [['id' => 'ann'], ['id' => 'bob']],
            'lines' => [['id' => 'sales', 'queue' => ['operators' => ['ann', 'bob']]]],
        ];
    }

    protected static function engine(?array $config = null): Engine
    {
        return new Engine($config ?? self::simpleConfig());
    }

    /** 2026-11-23T09:00:00Z plus $seconds. */
    protected static function time(int $seconds = 0): DateTimeImmutable
    {
        return (new DateTimeImmutable('2026-11-23T09:00:00Z'))->modify("+$seconds seconds");
    }

    protected static function message(string $client = 'tg:42', string $text = 'hi'): array
    {
        return ['type' => 'client_message', 'line' => 'sales', 'client' => $client, 'text' => $text];
    }

    /** The "type" of each action. */
    protected static function types(array $actions): array
    {
        return array_map(static fn (array $a): string => $a['type'], $actions);
    }

    /** Path of a repository file. */
    protected static function repo(string $path): string
    {
        return dirname(__DIR__, 2) . '/' . $path;
    }
}
