<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * The input names a line, operator or dialog that does not exist (kinds unknown_line,
 * unknown_operator, unknown_dialog; a closed dialog is unknown).
 */
final class UnknownIdException extends Exception
{
}
