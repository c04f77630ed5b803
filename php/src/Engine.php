<?php

declare(strict_types=1);

namespace OpenLines;

use DateTimeImmutable;
use DateTimeInterface;
use DateTimeZone;
use FFI;
use FFI\CData;
use JsonException;

/**
 * The routing engine of one tenant: its lines, operators and dialogs (the C library
 * libopenlines through PHP's FFI; config, inputs, actions and errors are documented in the
 * project's docs/reference.md).
 *
 * The engine is a pure state machine: it never reads a clock, sleeps or does I/O. Feed
 * it inputs stamped with a time (handle), tick it at nextDeadline() (advance), carry out
 * the actions it returns: arrays shaped exactly as docs/reference.md's actions, e.g.
 * ['type' => 'offer', 'dialog' => 1, 'operators' => ['ann'], 'expires_at' => '2026-11-23T09:01:00Z'].
 *
 * Inputs are arrays shaped as docs/reference.md's inputs. Ids are numbers: an id read from
 * a database as a string (PDO returns strings) is refused with
 * `dialog: "1" is not a dialog id (a whole number, e.g. 7)`; cast it with (int).
 *
 * Errors throw subclasses of OpenLines\Exception. A rejected input changes nothing
 * itself, but the timers that were due by its time have fired: the exception's
 * getActions() has their actions.
 *
 * An engine is not safe to share between threads; inputs to one engine must be applied
 * one at a time, in time order. The C handle is freed when the object is destroyed.
 *
 * The array shapes (Config, Input, Action) are generated from the project's JSON Schemas
 * into Shapes, for PHPStan and Psalm.
 *
 * @phpstan-import-type Config from Shapes
 * @phpstan-import-type Input from Shapes
 * @phpstan-import-type Action from Shapes
 * @psalm-import-type Config from Shapes
 * @psalm-import-type Input from Shapes
 * @psalm-import-type Action from Shapes
 */
final class Engine
{
    private FFI $ffi;

    /** The C handle (openlines_engine*). */
    private CData $handle;

    /**
     * Create an engine from a config (docs/reference.md) as an array or JSON text.
     *
     * @param Config|string $config
     * @param string|null $lib path of libopenlines.so (OPENLINES_LIB wins over it; see Library)
     * @throws ConfigException every problem of the config, each with its field path
     */
    public function __construct(array|string $config, ?string $lib = null)
    {
        $this->ffi = Library::get($lib);
        $json = is_string($config) ? $config : self::encode($config, 'config', ConfigException::class);
        $handle = $this->ffi->new('openlines_engine*');
        $error = $this->ffi->new('char*');
        $status = $this->ffi->openlines_engine_new($json, strlen($json), FFI::addr($handle), FFI::addr($error));
        if ($status !== 0) {
            $issues = $this->issues();
            throw Exception::of($this->statusName($status), $this->takeString($error), [], null, $issues);
        }
        $this->handle = $handle;
    }

    /**
     * Rebuild an engine from snapshot() bytes. It behaves exactly like the engine that
     * was saved.
     *
     * @param string|null $lib as for the constructor
     * @throws SnapshotException another format version, or corrupted bytes
     */
    public static function restore(string $bytes, ?string $lib = null): self
    {
        $ffi = Library::get($lib);
        $handle = $ffi->new('openlines_engine*');
        $error = $ffi->new('char*');
        $status = $ffi->openlines_engine_restore($bytes, strlen($bytes), FFI::addr($handle), FFI::addr($error));
        $engine = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $engine->ffi = $ffi;
        if ($status !== 0) {
            throw Exception::of($engine->statusName($status), $engine->takeString($error));
        }
        $engine->handle = $handle;
        return $engine;
    }

    /** Frees the C handle and everything it owns. */
    public function __destruct()
    {
        if (isset($this->handle)) {
            $this->ffi->openlines_engine_free($this->handle);
            unset($this->handle);
        }
    }

    /** Engines cannot be cloned: snapshot() and restore() copy one. */
    private function __clone()
    {
    }

    /**
     * Apply one input at time $at: the timers due at or before $at fire first, then the
     * input; returns the actions in order.
     *
     * @param Input $input e.g. ['type' => 'accept', 'dialog' => 7, 'operator' => 'ann']
     * @return list<Action>
     * @throws Exception (a subclass) when the input is rejected; getActions() has the
     *     actions of the timers that fired before it
     */
    public function handle(DateTimeInterface $at, array $input): array
    {
        $ms = self::millis($at);
        try {
            $json = self::encode($input, 'input', InputException::class);
        } catch (InputException $e) {
            // Like any rejected input: the timers due by its time still fire.
            throw new InputException($e->getMessage(), $e->getKind(), $this->advance($at));
        }
        $status = $this->ffi->openlines_engine_handle_json($this->handle, $ms, $json, strlen($json));
        return $this->outcome($status);
    }

    /**
     * A clock tick: fire every timer due at or before $at and return the actions. Call it
     * at nextDeadline(); a tick with nothing due only moves the engine's clock.
     *
     * @return list<Action>
     * @throws TimeException if $at is earlier than the engine's time
     */
    public function advance(DateTimeInterface $at): array
    {
        return $this->outcome($this->ffi->openlines_engine_advance($this->handle, self::millis($at)));
    }

    /**
     * Apply many steps in order, exactly as handle()/advance() in a loop: each step is
     * [DateTimeInterface $at, ?array $input] (null input: a clock tick). Returns one list
     * of actions per step.
     *
     * @param iterable<array{0: DateTimeInterface, 1: array<string, mixed>|null}> $steps
     * @return list<list<array<string, mixed>>>
     * @throws Exception at the first rejected step: getIndex() is its position, getActions()
     *     every action produced before the failure (the steps before it stay applied)
     */
    public function handleMany(iterable $steps): array
    {
        $out = [];
        foreach ($steps as $index => $step) {
            if (!is_array($step) || !isset($step[0]) || !$step[0] instanceof DateTimeInterface
                || !array_key_exists(1, $step) || !(is_array($step[1]) || $step[1] === null)) {
                throw new InputException(
                    "steps[$index]: must be [DateTimeInterface \$at, array|null \$input]",
                    'invalid_input',
                    array_merge([], ...$out),
                    count($out)
                );
            }
            try {
                $out[] = $step[1] === null ? $this->advance($step[0]) : $this->handle($step[0], $step[1]);
            } catch (Exception $e) {
                throw $e->atStep(count($out), array_merge(array_merge([], ...$out), $e->getActions()));
            }
        }
        return $out;
    }

    /**
     * When advance() must be called next (the earliest armed timer), in UTC; null when no
     * timer is armed.
     */
    public function nextDeadline(): ?DateTimeImmutable
    {
        return $this->clock('openlines_engine_next_deadline');
    }

    /** The engine's current time (of its last accepted call) in UTC, null before the first. */
    public function now(): ?DateTimeImmutable
    {
        return $this->clock('openlines_engine_now');
    }

    /**
     * The full state as opaque bytes (versioned, checksummed). Engine::restore() gives an
     * engine that behaves exactly like this one from then on. Store it with the log of the
     * inputs that come after it to recover after a restart.
     */
    public function snapshot(): string
    {
        $bytes = $this->ffi->new('uint8_t*');
        $len = $this->ffi->new('size_t');
        $this->check($this->ffi->openlines_engine_snapshot($this->handle, FFI::addr($bytes), FFI::addr($len)));
        try {
            return FFI::string($bytes, $len->cdata);
        } finally {
            $this->ffi->openlines_bytes_free($bytes, $len->cdata);
        }
    }

    /**
     * An open dialog (line, client, status, operator, ...); null if the dialog is unknown
     * or closed.
     *
     * @return array<string, mixed>|null
     */
    public function dialog(int $dialog): ?array
    {
        return $this->view('openlines_engine_dialog_json', $dialog);
    }

    /**
     * Why the last routing decision of an open dialog went as it did: each queue operator
     * and why they were or were not chosen; null if the dialog is unknown or closed.
     *
     * @return array<string, mixed>|null
     */
    public function explain(int $dialog): ?array
    {
        return $this->view('openlines_engine_explain_json', $dialog);
    }

    /**
     * An operator (presence, load, dialogs); null if unknown.
     *
     * @return array<string, mixed>|null
     */
    public function operator(string $operator): ?array
    {
        return $this->view('openlines_engine_operator_json', $operator, strlen($operator));
    }

    /**
     * A line's waiting queue, in dispatch order; null if the line is unknown.
     *
     * @return array<string, mixed>|null
     */
    public function queue(string $line): ?array
    {
        return $this->view('openlines_engine_queue_json', $line, strlen($line));
    }

    /**
     * A line's live counts and totals of closed dialogs; null if the line is unknown.
     *
     * @return array<string, mixed>|null
     */
    public function stats(string $line): ?array
    {
        return $this->view('openlines_engine_stats_json', $line, strlen($line));
    }

    /** The version of the C library in use, e.g. "0.1.0". */
    public function libraryVersion(): string
    {
        return $this->ffi->openlines_version();
    }

    // ------------------------------------------------------------------ internals

    /**
     * The actions pending on the handle after a mutating call, or the exception for its
     * failure carrying them (a rejected input's timers still fired).
     *
     * @return list<array<string, mixed>>
     */
    private function outcome(int $status): array
    {
        // Read the message before the next call on the handle replaces it.
        $message = $status === 0 ? '' : $this->ffi->openlines_engine_last_error($this->handle);
        $issues = $status === 0 ? [] : $this->issues();
        $json = $this->ffi->new('char*');
        $this->check($this->ffi->openlines_engine_take_actions_json($this->handle, FFI::addr($json), null));
        $actions = self::decode($this->takeString($json));
        if ($status !== 0) {
            throw Exception::of($this->statusName($status), $message, $actions, null, $issues);
        }
        return $actions;
    }

    /** Read one of the clock functions (next deadline, now). */
    private function clock(string $function): ?DateTimeImmutable
    {
        $ms = $this->ffi->new('int64_t');
        $has = $this->ffi->new('bool');
        $this->check($this->ffi->$function($this->handle, FFI::addr($ms), FFI::addr($has)));
        if (!$has->cdata) {
            return null;
        }
        $millis = $ms->cdata;
        $seconds = intdiv($millis, 1000) - ($millis % 1000 < 0 ? 1 : 0);
        $fraction = $millis - $seconds * 1000;
        $time = DateTimeImmutable::createFromFormat('U.u', sprintf('%d.%06d', $seconds, $fraction * 1000));
        if ($time === false) {
            throw new Exception("time $millis ms is out of PHP's range", 'out_of_range');
        }
        return $time->setTimezone(new DateTimeZone('UTC'));
    }

    /**
     * Call a JSON view; null when the id is unknown.
     *
     * @return array<string, mixed>|null
     */
    private function view(string $function, mixed ...$args): ?array
    {
        $json = $this->ffi->new('char*');
        $status = $this->ffi->$function($this->handle, ...[...$args, FFI::addr($json), null]);
        $kind = $this->statusName($status);
        if (in_array($kind, ['unknown_dialog', 'unknown_operator', 'unknown_line'], true)) {
            return null;
        }
        $this->check($status);
        return self::decode($this->takeString($json));
    }

    /** Throw for a failed non-input call (NULL output, poisoned handle, ...). */
    private function check(int $status): void
    {
        if ($status !== 0) {
            throw Exception::of($this->statusName($status), $this->ffi->openlines_engine_last_error($this->handle));
        }
    }

    /**
     * The problems of this thread's last failed call (openlines_last_issues_json()).
     *
     * @return list<array{loc: list<string|int>, msg: string, type: string}>
     */
    private function issues(): array
    {
        /** @var list<array{loc: list<string|int>, msg: string, type: string}> */
        return self::decode($this->ffi->openlines_last_issues_json());
    }

    private function statusName(int $status): string
    {
        return $this->ffi->openlines_status_str($status);
    }

    /** Copy a string the library handed out through a char** and free it. */
    private function takeString(CData $string): string
    {
        if (FFI::isNull($string)) {
            return '';
        }
        try {
            return FFI::string($string);
        } finally {
            $this->ffi->openlines_string_free($string);
        }
    }

    /** Milliseconds since the Unix epoch of a PHP time (any time zone). */
    private static function millis(DateTimeInterface $at): int
    {
        return $at->getTimestamp() * 1000 + intdiv((int) $at->format('u'), 1000);
    }

    /**
     * JSON text of a config or input array; an empty array is the empty object.
     *
     * @param array<mixed> $value
     * @param class-string<Exception> $class
     */
    private static function encode(array $value, string $what, string $class): string
    {
        if ($value === []) {
            return '{}';
        }
        try {
            return json_encode(
                $value,
                JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION
            );
        } catch (JsonException $e) {
            $kind = $class === ConfigException::class ? 'invalid_config' : 'invalid_input';
            $why = $e->getCode() === JSON_ERROR_UTF8 ? 'a text is not valid UTF-8' : $e->getMessage();
            throw new $class("$what: cannot be encoded as JSON: $why", $kind);
        }
    }

    /** @return array<mixed> */
    private static function decode(string $json): array
    {
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }
}
