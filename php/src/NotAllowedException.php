<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * Well-formed but not allowed now (kind not_allowed), e.g. an operator acting on a
 * dialog that is not theirs.
 */
final class NotAllowedException extends Exception
{
}
