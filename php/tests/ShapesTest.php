<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use OpenLines\Shapes;
use PHPUnit\Framework\TestCase;
use ReflectionClass;

/**
 * src/Shapes.php, the PHP array shapes of config, inputs and actions, is what
 * tools/shapes.py generates from the project's JSON Schemas (so it cannot drift from the
 * engine's types), and names every input and action type and every config field.
 */
final class ShapesTest extends TestCase
{
    private static function root(): string
    {
        return dirname(__DIR__, 2);
    }

    /** @return array<string, string> alias => type, from the class docblock */
    private static function aliases(): array
    {
        $doc = (string) (new ReflectionClass(Shapes::class))->getDocComment();
        preg_match_all('/@phpstan-type (\w+) (.*)$/m', $doc, $m, PREG_SET_ORDER);
        $out = [];
        foreach ($m as [, $name, $type]) {
            $out[$name] = trim($type);
        }
        return $out;
    }

    public function testShapesAreFreshFromTheSchemas(): void
    {
        $tool = escapeshellarg(self::root() . '/php/tools/shapes.py');
        exec("python3 $tool --check 2>&1", $output, $status);
        self::assertSame(0, $status, implode("\n", $output));
    }

    public function testEveryInputAndActionTypeHasAShape(): void
    {
        $aliases = self::aliases();
        foreach (['input' => 'Input', 'action' => 'Action'] as $schema => $alias) {
            $json = json_decode(
                (string) file_get_contents(self::root() . "/schema/$schema.schema.json"),
                true,
                512,
                JSON_THROW_ON_ERROR
            );
            self::assertArrayHasKey($alias, $aliases);
            foreach ($json['oneOf'] as $variant) {
                $type = $variant['properties']['type']['const'];
                self::assertStringContainsString("type: '$type'", $aliases[$alias], "$alias $type");
            }
        }
    }

    public function testEveryConfigFieldIsInItsShape(): void
    {
        $aliases = self::aliases();
        $json = json_decode(
            (string) file_get_contents(self::root() . '/schema/config.schema.json'),
            true,
            512,
            JSON_THROW_ON_ERROR
        );
        foreach ($json['$defs'] as $name => $def) {
            foreach (array_keys($def['properties'] ?? []) as $field) {
                self::assertMatchesRegularExpression(
                    '/[{ ]\'?' . preg_quote($field, '/') . '\'?\??: /',
                    $aliases[$name] ?? '',
                    "$name.$field"
                );
            }
        }
    }
}
