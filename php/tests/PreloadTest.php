<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use PHPUnit\Framework\TestCase;

/**
 * The FPM set-up of php/README.md: with the header preloaded by ffi.preload (and no
 * OPENLINES_LIB, no constructor argument, nothing at the default path), Engine uses the
 * preloaded FFI scope "openlines"; opcache.preload of php/preload.php compiles the classes.
 */
final class PreloadTest extends TestCase
{
    use Support;

    public function testEngineUsesThePreloadedScope(): void
    {
        $lib = getenv('OPENLINES_LIB');
        if ($lib === false || is_file(\OpenLines\Library::DEFAULT_PATH)) {
            self::markTestSkipped('needs OPENLINES_LIB and no library at the default install path');
        }
        $dir = sys_get_temp_dir() . '/openlines-preload-' . bin2hex(random_bytes(4));
        mkdir($dir);
        // What install.sh installs: the header with FFI_LIB naming the library.
        $header = (string) file_get_contents(self::repo('include/openlines_ffi.h'));
        file_put_contents("$dir/openlines_ffi.h", preg_replace('/^#define FFI_LIB .*$/m', "#define FFI_LIB \"$lib\"", $header));
        file_put_contents("$dir/request.php", '<?php
            require ' . var_export(self::repo('php/autoload.php'), true) . ';
            $engine = new OpenLines\Engine(["lines" => [["id" => "s"]]]);
            echo json_encode($engine->handle(new DateTimeImmutable("2026-11-23T09:00:00Z"),
                ["type" => "client_message", "line" => "s", "client" => "x"])), "\n";');
        $command = sprintf(
            'env -u OPENLINES_LIB %s -d ffi.enable=preload -d ffi.preload=%s -d opcache.enable_cli=1 -d opcache.preload=%s -d opcache.preload_user=%s %s 2>&1',
            escapeshellarg(PHP_BINARY),
            escapeshellarg("$dir/openlines_ffi.h"),
            escapeshellarg(self::repo('php/preload.php')),
            escapeshellarg(get_current_user()),
            escapeshellarg("$dir/request.php")
        );
        exec($command, $out, $status);
        exec('rm -rf ' . escapeshellarg($dir));
        self::assertSame(0, $status, implode("\n", $out));
        self::assertSame('[{"type":"dialog_opened","dialog":1,"line":"s","client":"x"},{"type":"queued","dialog":1,"reason":"nobody_available"}]', $out[0]);
    }
}
