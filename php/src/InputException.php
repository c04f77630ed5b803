<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * The input is malformed (kind invalid_input, or invalid_utf8): bad JSON, a missing
 * field, a value of the wrong type ("dialog: \"1\" is not a dialog id (a whole number, e.g. 7)":
 * cast ids read from PDO with (int)), over a limit.
 */
final class InputException extends Exception
{
}
