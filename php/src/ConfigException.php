<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * The config is malformed or inconsistent (kind invalid_config); the message lists every
 * problem with its field path.
 */
final class ConfigException extends Exception
{
}
