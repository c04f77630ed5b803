<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * The config is malformed or inconsistent (kind invalid_config); the message lists every
 * problem with its field path, and errors() lists them one by one:
 * [['loc' => ['lines', 0, 'queue', 'distribution'], 'msg' => '"evenlyy" is not one of
 * evenly, strict, all, least_busy, longest_idle', 'type' => 'invalid_value'], ...].
 */
final class ConfigException extends Exception
{
}
