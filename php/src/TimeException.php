<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * The time is earlier than the engine's current time (kind time_went_backwards), or out
 * of the range the engine can represent (out_of_range).
 */
final class TimeException extends Exception
{
}
