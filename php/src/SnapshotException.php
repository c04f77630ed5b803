<?php

declare(strict_types=1);

namespace OpenLines;

/**
 * The bytes given to Engine::restore() are not a snapshot this library can restore (kind
 * snapshot_version): another format version, corrupted or crafted bytes.
 */
final class SnapshotException extends Exception
{
}
