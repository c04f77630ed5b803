<?php

/**
 * PSR-4 autoloader for OpenLines\ when the package is used without Composer (copied
 * into a project): `require 'path/to/php/autoload.php';`. With Composer, use
 * vendor/autoload.php instead; both map OpenLines\ to src/.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'OpenLines\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
