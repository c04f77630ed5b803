<?php

/**
 * opcache.preload script for PHP-FPM: compiles the package's classes into opcache once,
 * at server start. The C library itself is preloaded by PHP's ffi.preload setting (not
 * here: FFI::load() refuses to run in a preload script with opcache.preload_user, which
 * a server started as root needs). In php.ini:
 *
 *   ffi.enable=preload
 *   ffi.preload=/usr/local/include/openlines_ffi.h   ; as installed by bindings/c/install.sh
 *   opcache.enable=1
 *   opcache.preload=/path/to/php/preload.php        ; optional: saves compiling per worker
 *   opcache.preload_user=www-data
 *
 * OpenLines\Engine then uses the preloaded FFI scope "openlines" by itself.
 */

declare(strict_types=1);

foreach (glob(__DIR__ . '/src/*.php') as $file) {
    opcache_compile_file($file);
}
