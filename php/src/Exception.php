<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * Base class of every error the engine reports.
 *
 * getKind() is the stable name of the error (the error kinds of docs/reference.md:
 * invalid_config, invalid_input, unknown_line, unknown_operator, unknown_dialog,
 * not_allowed, time_went_backwards, snapshot_version; or a C-level one such as
 * invalid_utf8, out_of_range, panic). getMessage() says what went wrong, naming the
 * field or id.
 *
 * A rejected input changes nothing itself, but time is committed: the timers that were
 * due by its time have fired, and getActions() returns their actions (carry them out
 * like any others). For Engine::handleMany(), getIndex() is the position of the
 * rejected step and getActions() every action the call produced before the failure.
 *
 * errors() lists the problems behind an invalid config (every one) or an input that
 * could not be read (the one), in the shape Python's pydantic made familiar:
 * [['loc' => ['lines', 0, 'queue', 'distribution'], 'msg' => '...', 'type' => 'invalid_value'], ...].
 *
 * @phpstan-type Issue array{loc: list<string|int>, msg: string, type: string}
 */
class Exception extends \RuntimeException
{
    /** @var list<array<string, mixed>> */
    private array $actions;

    /** @var list<array{loc: list<string|int>, msg: string, type: string}> */
    private array $errors;

    /**
     * @param string $message what went wrong, naming the field or id
     * @param string $kind the stable error name (see the class comment)
     * @param list<array<string, mixed>> $actions actions produced before the failure
     * @param int|null $index the rejected step of Engine::handleMany(), else null
     * @param list<array{loc: list<string|int>, msg: string, type: string}> $errors the problems (see errors())
     */
    public function __construct(
        string $message,
        private readonly string $kind,
        array $actions = [],
        private readonly ?int $index = null,
        ?\Throwable $previous = null,
        array $errors = [],
    ) {
        parent::__construct($message, 0, $previous);
        $this->actions = $actions;
        $this->errors = $errors;
    }

    /**
     * Every problem of an invalid config, or the one problem of an input that could not
     * be read; empty for other errors. Each is ['loc' => path as field names and list
     * positions ([] for the text as a whole), 'msg' => what is wrong and what is
     * expected, 'type' => a stable kind: syntax, unknown_field, missing_field,
     * invalid_type, invalid_value, out_of_range, duplicate or unknown_reference].
     *
     * @return list<array{loc: list<string|int>, msg: string, type: string}>
     */
    public function errors(): array
    {
        return $this->errors;
    }

    /** The stable name of the error, e.g. "unknown_dialog". */
    public function getKind(): string
    {
        return $this->kind;
    }

    /**
     * The actions produced before the failure: those of the timers that fired before the
     * rejected input (and, from handleMany(), of the steps before it), shaped as the
     * actions of docs/reference.md. Empty when nothing fired.
     *
     * @return list<array<string, mixed>>
     */
    public function getActions(): array
    {
        return $this->actions;
    }

    /** For Engine::handleMany(): the position of the rejected step; otherwise null. */
    public function getIndex(): ?int
    {
        return $this->index;
    }

    /**
     * The exception for an error kind: the subclass that matches it, carrying the
     * actions produced before the failure.
     *
     * @param list<array<string, mixed>> $actions
     * @param list<array{loc: list<string|int>, msg: string, type: string}> $errors
     */
    public static function of(
        string $kind,
        string $message,
        array $actions = [],
        ?int $index = null,
        array $errors = [],
    ): self {
        $class = match ($kind) {
            'invalid_config' => ConfigException::class,
            'invalid_input', 'invalid_utf8', 'null_pointer' => InputException::class,
            'unknown_line', 'unknown_operator', 'unknown_dialog' => UnknownIdException::class,
            'not_allowed' => NotAllowedException::class,
            'time_went_backwards', 'out_of_range' => TimeException::class,
            'snapshot_version' => SnapshotException::class,
            default => self::class,
        };
        return new $class($message, $kind, $actions, $index, null, $errors);
    }

    /**
     * The same error for step $index of a batch, carrying the batch's actions so far.
     *
     * @param list<array<string, mixed>> $actions
     */
    public function atStep(int $index, array $actions): self
    {
        return new static($this->getMessage(), $this->kind, $actions, $index, $this, $this->errors);
    }
}
