<?php

/**
 * phpunit bootstrap: the package's autoloader (Composer's when installed, else
 * autoload.php) and the test helpers. The library comes from OPENLINES_LIB (run-tests.sh
 * sets it to the freshly built one).
 */

declare(strict_types=1);

$composer = __DIR__ . '/../vendor/autoload.php';
require is_file($composer) ? $composer : __DIR__ . '/../autoload.php';
require __DIR__ . '/Support.php';

if (getenv('OPENLINES_LIB') === false) {
    fwrite(STDERR, "OPENLINES_LIB is not set: the tests use the default install path\n");
}
