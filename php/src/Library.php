<?php

declare(strict_types=1);

namespace OpenLines;

use FFI;

/**
 * The C library (libopenlines.so) seen through PHP's FFI, loaded once per process and
 * library path.
 *
 * Which library: the OPENLINES_LIB environment variable, else the path given to the
 * Engine constructor, else DEFAULT_PATH (where `bindings/c/install.sh /usr/local` puts
 * it). When the library was preloaded as the FFI scope "openlines" (ffi.preload of
 * openlines_ffi.h: the way to use FFI under PHP-FPM, where ffi.enable=preload forbids
 * FFI::cdef in requests), the preloaded one is used when none of them is set, and
 * always under a web server with ffi.enable=preload (where FFI::cdef is not allowed: an
 * exception then says so and which setting to change, as it does when FFI is disabled).
 *
 * The declarations come from openlines_ffi.h, generated with openlines.h by the C
 * library's build: OPENLINES_HEADER if set, else the one installed beside the library
 * (LIBDIR/../include/openlines_ffi.h), else the one of the source tree this package sits
 * in (include/openlines_ffi.h).
 *
 * @internal used by Engine; its methods may change without notice.
 */
final class Library
{
    /** Where `bindings/c/install.sh /usr/local` installs the library. */
    public const DEFAULT_PATH = '/usr/local/lib/libopenlines.so.0';

    /** The FFI scope name of openlines_ffi.h (its FFI_SCOPE define). */
    public const SCOPE = 'openlines';

    /** The C ABI version this package is written for (openlines_abi_version()). */
    public const ABI_VERSION = 0;

    /** @var array<string, ?FFI> loaded libraries by path ("" = the preloaded scope, null: none) */
    private static array $loaded = [];

    /**
     * The FFI object of the library to use (see the class comment).
     *
     * @param string|null $path the Engine constructor's library argument
     * @throws Exception when the library or its header cannot be loaded
     */
    public static function get(?string $path = null): FFI
    {
        if (!extension_loaded('ffi')) {
            throw new Exception(
                'PHP\'s FFI extension is not loaded in this PHP (' . PHP_SAPI . '): openlines needs ext-ffi '
                . '(Debian: built into php8.2-cli and php8.2-fpm; elsewhere enable extension=ffi in php.ini)',
                'library'
            );
        }
        $env = getenv('OPENLINES_LIB');
        $chosen = ($env !== false && $env !== '') ? $env : $path;
        $mode = self::mode();
        if ($mode === 'off') {
            throw new Exception(
                'FFI is disabled in this PHP (ffi.enable=' . var_export(ini_get('ffi.enable'), true) . ', ' . PHP_SAPI . '): '
                . 'set ffi.enable=preload with ffi.preload=PREFIX/include/openlines_ffi.h (the header installed '
                . 'by bindings/c/install.sh) and opcache.preload=PATH/TO/openlines/php/preload.php, or '
                . 'ffi.enable=true, in php.ini and restart PHP',
                'library'
            );
        }
        if ($mode === 'preload') {
            // Under a web server, ffi.enable=preload lets only code preloaded by opcache
            // use FFI, and only scopes preloaded at server start.
            return self::preloaded() ?? throw new Exception(self::preloadAdvice(), 'library');
        }
        if ($chosen === null && self::preloaded() !== null) {
            return self::$loaded[''];
        }
        $chosen ??= self::DEFAULT_PATH;
        return self::$loaded[$chosen] ??= self::load($chosen);
    }

    /**
     * Load the library at $path with the declarations of openlines_ffi.h, and check that
     * it speaks the ABI this package expects.
     */
    private static function load(string $path): FFI
    {
        if (str_contains($path, '/') && !is_file($path)) {
            throw new Exception(
                "the openlines C library was not found at $path: install it with "
                . "bindings/c/install.sh PREFIX and set OPENLINES_LIB=PREFIX/lib/libopenlines.so.0 "
                . "(or pass the path to the Engine constructor)",
                'library'
            );
        }
        $header = self::header($path);
        $declarations = file_get_contents($header);
        if ($declarations === false) {
            throw new Exception("cannot read $header", 'library');
        }
        // FFI::cdef reads declarations only: drop the FFI_SCOPE / FFI_LIB defines.
        $declarations = (string) preg_replace('/^#define FFI_\w+ .*$/m', '', $declarations);
        try {
            $ffi = FFI::cdef($declarations, $path);
        } catch (FFI\Exception $e) {
            throw new Exception("cannot load the openlines C library $path: {$e->getMessage()}", 'library', [], null, $e);
        }
        self::checkAbi($ffi, $path);
        return $ffi;
    }

    /**
     * What ffi.enable allows here: "cdef" (ffi.enable=true, or "preload" in the CLI, where
     * FFI::cdef is allowed too), "preload" (only preloaded scopes: the default under a web
     * server) or "off".
     */
    private static function mode(): string
    {
        $mode = strtolower(trim((string) ini_get('ffi.enable')));
        if (in_array($mode, ['1', 'on', 'true', 'yes'], true)) {
            return 'cdef';
        }
        if ($mode === 'preload') {
            return PHP_SAPI === 'cli' ? 'cdef' : 'preload';
        }
        return 'off';
    }

    /** What to set when ffi.enable=preload and the preloaded scope cannot be used. */
    private static function preloadAdvice(): string
    {
        $where = 'ffi.enable=preload (the default) under ' . PHP_SAPI;
        $otherwise = ' in php.ini and restart the server, or set ffi.enable=true (and OPENLINES_LIB)';
        if (str_contains(self::$scopeError, 'restricted')) {
            return "FFI is not allowed here: $where lets only code preloaded by opcache use FFI, and the "
                . 'openlines package was not preloaded (' . self::$scopeError . '). Set opcache.enable=1, '
                . 'opcache.preload=PATH/TO/openlines/php/preload.php (and opcache.preload_user when the server '
                . 'starts as root) beside ffi.preload=PREFIX/include/openlines_ffi.h' . $otherwise;
        }
        return "FFI is not allowed here: $where allows only FFI scopes preloaded at server start, and the scope \""
            . self::SCOPE . '" was not preloaded (' . self::$scopeError . '). Set '
            . 'ffi.preload=PREFIX/include/openlines_ffi.h (the header installed by bindings/c/install.sh)' . $otherwise;
    }

    /** Why the preloaded scope could not be used (FFI's own message), for the error. */
    private static string $scopeError = '';

    /** The preloaded "openlines" scope, or null when there is none (the reason in $scopeError). */
    private static function preloaded(): ?FFI
    {
        if (!array_key_exists('', self::$loaded)) {
            try {
                $ffi = FFI::scope(self::SCOPE);
            } catch (FFI\Exception $e) {
                self::$scopeError = $e->getMessage();
                return self::$loaded[''] = null;
            }
            self::checkAbi($ffi, 'the preloaded FFI scope "openlines"');
            self::$loaded[''] = $ffi;
        }
        return self::$loaded[''];
    }

    /** The openlines_ffi.h to use with the library at $path. */
    public static function header(string $path): string
    {
        $candidates = [];
        $env = getenv('OPENLINES_HEADER');
        if ($env !== false && $env !== '') {
            $candidates[] = $env;
        }
        if (str_contains($path, '/')) {
            $candidates[] = dirname($path) . '/../include/openlines_ffi.h';
        }
        $candidates[] = dirname(__DIR__, 2) . '/include/openlines_ffi.h';
        foreach ($candidates as $candidate) {
            if (is_file($candidate)) {
                return $candidate;
            }
        }
        throw new Exception(
            'openlines_ffi.h not found (looked at ' . implode(', ', $candidates) . '): '
            . 'set OPENLINES_HEADER to the openlines_ffi.h installed with the library',
            'library'
        );
    }

    private static function checkAbi(FFI $ffi, string $what): void
    {
        $abi = $ffi->openlines_abi_version();
        if ($abi !== self::ABI_VERSION) {
            throw new Exception(
                "$what has C ABI version $abi; this PHP package needs version " . self::ABI_VERSION,
                'library'
            );
        }
    }
}
