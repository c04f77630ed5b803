<?php

declare(strict_types=1);

namespace OpenLines\Tests;

use DateTimeImmutable;
use OpenLines\Engine;
use OpenLines\Exception;
use PHPUnit\Framework\TestCase;

/**
 * examples/php: the worker, killed and restarted, ends exactly where an uninterrupted
 * worker does; the per-request handler gives what one long-lived engine gives.
 */
final class ExamplesTest extends TestCase
{
    use Support;

    private string $dir;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/openlines-php-' . bin2hex(random_bytes(6));
        mkdir("$this->dir/tenants", 0777, true);
        $acme = self::simpleConfig();
        $acme['lines'][0]['greeting'] = ['text' => 'Здравствуйте!'];
        $acme['lines'][0]['auto_close'] = ['after_secs' => 300, 'text' => 'bye'];
        $globex = self::simpleConfig();
        $globex['lines'][0]['queue']['distribution'] = 'all';
        $globex['lines'][0]['unanswered'] = ['after_secs' => 120, 'text' => 'please wait'];
        file_put_contents("$this->dir/tenants/acme.json", json_encode($acme));
        file_put_contents("$this->dir/tenants/globex.json", json_encode($globex));
    }

    protected function tearDown(): void
    {
        exec('rm -rf ' . escapeshellarg($this->dir));
    }

    /** Deterministic traffic for two tenants: messages, accepts, replies, closes, ticks. */
    private static function traffic(int $count): array
    {
        mt_srand(14);
        $time = new DateTimeImmutable('2026-11-23T09:00:00Z');
        $opened = ['acme' => 0, 'globex' => 0];
        $lines = [];
        for ($i = 0; $i < $count; $i++) {
            $tenant = mt_rand(0, 1) ? 'acme' : 'globex';
            $time = $time->modify('+' . mt_rand(5, 50) . ' seconds');
            $at = $time->format('Y-m-d\TH:i:s\Z');
            $dialog = max(1, mt_rand(1, $opened[$tenant] + 1));
            $operator = mt_rand(0, 1) ? 'ann' : 'bob';
            $input = match (mt_rand(0, 5)) {
                0, 1 => self::message('c' . mt_rand(0, 6), "text $i"),
                2 => ['type' => 'accept', 'dialog' => $dialog, 'operator' => $operator],
                3 => ['type' => 'operator_message', 'dialog' => $dialog, 'operator' => $operator],
                4 => ['type' => 'close', 'dialog' => $dialog, 'operator' => $operator],
                5 => null,
            };
            if (($input['type'] ?? '') === 'client_message') {
                $opened[$tenant]++; // an upper bound: a message may go to an open dialog
            }
            $lines[] = $input === null
                ? ['tenant' => $tenant, 'at' => $at, 'tick' => true]
                : ['tenant' => $tenant, 'at' => $at, 'input' => $input];
        }
        return $lines;
    }

    /** Start the worker on $state; returns [process, stdin, stdout]. */
    private function startWorker(string $state, string ...$extra): array
    {
        $command = [PHP_BINARY, self::repo('examples/php/worker.php'), '--tenants', "$this->dir/tenants",
            '--state', $state, '--snapshot-every', '7', '--clock', 'input', ...$extra];
        $process = proc_open($command, [['pipe', 'r'], ['pipe', 'w'], ['file', "$this->dir/worker.err", 'a']], $pipes);
        self::assertIsResource($process);
        return [$process, $pipes[0], $pipes[1]];
    }

    private static function send($stdin, array $lines): void
    {
        foreach ($lines as $line) {
            fwrite($stdin, json_encode($line) . "\n");
        }
        fflush($stdin);
    }

    /** Run the worker over $lines to the end of its input; returns its output lines. */
    private function runToEnd(string $state, array $lines, string ...$extra): array
    {
        [$process, $stdin, $stdout] = $this->startWorker($state, ...$extra);
        self::send($stdin, $lines);
        fclose($stdin);
        $out = stream_get_contents($stdout);
        fclose($stdout);
        self::assertSame(0, proc_close($process), (string) @file_get_contents("$this->dir/worker.err"));
        return $out === '' ? [] : explode("\n", rtrim($out, "\n"));
    }

    /** @return array<string, string> each tenant's final engine snapshot (without the worker's header) */
    private static function snapshots(string $state): array
    {
        $out = [];
        foreach (['acme', 'globex'] as $tenant) {
            $out[$tenant] = substr((string) file_get_contents("$state/$tenant.snapshot"), 16);
            self::assertInstanceOf(Engine::class, Engine::restore($out[$tenant]));
        }
        return $out;
    }

    public function testWorkerKilledAndRestartedEndsInTheSameState(): void
    {
        $lines = self::traffic(80);
        $expected = $this->runToEnd("$this->dir/whole", $lines);
        self::assertGreaterThan(80, count($expected));
        self::assertNotEmpty(preg_grep('/"error":\{"kind":"/', $expected), 'some inputs are rejected');
        self::assertNotEmpty(preg_grep('/"type":"dialog_closed"/', $expected));

        // The first run takes 45 lines, is seen to have applied them, then is killed -9
        // (no goodbye snapshot); the second restores and gets the rest.
        $cut = 45;
        while (isset($lines[$cut - 1]['tick']) || ($lines[$cut - 1]['input']['type'] ?? '') !== 'client_message') {
            $cut++; // end the first part on a client message: it always prints actions
        }
        $last = $lines[$cut - 1];
        $seq = count(array_filter(array_slice($lines, 0, $cut), static fn ($l) => $l['tenant'] === $last['tenant']));
        [$process, $stdin, $stdout] = $this->startWorker("$this->dir/killed");
        self::send($stdin, array_slice($lines, 0, $cut));
        $first = [];
        $needle = sprintf('{"tenant":"%s","seq":%d,', $last['tenant'], $seq);
        while (($line = fgets($stdout)) !== false) {
            $first[] = rtrim($line, "\n");
            if (str_starts_with($line, $needle)) {
                break;
            }
        }
        // Every action of the last line is printed before the next input is read.
        stream_set_blocking($stdout, false);
        usleep(200000);
        while (($line = fgets($stdout)) !== false) {
            $first[] = rtrim($line, "\n");
        }
        proc_terminate($process, 9);
        proc_close($process);
        self::assertFileDoesNotExist("$this->dir/killed/acme.snapshot.tmp");
        $second = $this->runToEnd("$this->dir/killed", array_slice($lines, $cut));

        self::assertSame($expected, array_merge($first, $second), 'the same actions, each printed once');
        self::assertSame(self::snapshots("$this->dir/whole"), self::snapshots("$this->dir/killed"));
    }

    public function testWorkerOnTheWallClockTicksAtTheDeadline(): void
    {
        $config = self::simpleConfig();
        $config['lines'][0]['queue']['forward_after_secs'] = 1;
        file_put_contents("$this->dir/tenants/acme.json", json_encode($config));
        $command = [PHP_BINARY, self::repo('examples/php/worker.php'), '--tenants', "$this->dir/tenants", '--state', "$this->dir/wall"];
        $process = proc_open($command, [['pipe', 'r'], ['pipe', 'w'], ['file', "$this->dir/worker.err", 'a']], $pipes);
        fwrite($pipes[0], json_encode(['tenant' => 'acme', 'input' => self::message()]) . "\n");
        fflush($pipes[0]);
        usleep(1800000); // no input comes: the worker must tick by itself after 1 s
        fclose($pipes[0]);
        $out = array_map(static fn ($l) => json_decode($l, true)['action'], explode("\n", rtrim((string) stream_get_contents($pipes[1]))));
        fclose($pipes[1]);
        self::assertSame(0, proc_close($process));
        self::assertSame(['dialog_opened', 'offer', 'offer_withdrawn', 'offer'], array_slice(self::types($out), 0, 4));
        self::assertSame(['bob'], $out[3]['operators']);
        // Stamped by the worker with the wall clock, one second apart.
        $opened = new \DateTimeImmutable($out[1]['expires_at']);
        self::assertEqualsWithDelta(time() + 1, $opened->getTimestamp(), 10);
        self::assertSame('1.000', sprintf('%.3f', (float) (new \DateTimeImmutable($out[3]['expires_at']))->format('U.v') - (float) $opened->format('U.v')));
    }

    public function testWorkerSurvivesATornLogLine(): void
    {
        $lines = self::traffic(20);
        $state = "$this->dir/torn";
        $this->runToEnd($state, array_slice($lines, 0, 10));
        // A crash while writing an entry leaves half a line; it was never applied.
        file_put_contents("$state/acme.log", '{"at":"2026-11-23T10:00:00Z","inp', FILE_APPEND);
        $this->runToEnd($state, array_slice($lines, 10));
        $this->runToEnd("$this->dir/clean", $lines);
        self::assertSame(self::snapshots("$this->dir/clean"), self::snapshots($state));
    }

    public function testWorkerOnAQueueTableAppliesEachRowOnce(): void
    {
        if (!in_array('sqlite', \PDO::getAvailableDrivers(), true)) {
            self::markTestSkipped('needs pdo_sqlite (Debian: php-sqlite3)');
        }
        $lines = self::traffic(40);
        $expected = $this->runToEnd("$this->dir/stdin", $lines);
        $dsn = "sqlite:$this->dir/queue.db";
        $db = new \PDO($dsn);
        $db->exec('CREATE TABLE openlines_queue (id INTEGER PRIMARY KEY, body TEXT)');
        $insert = $db->prepare('INSERT INTO openlines_queue (body) VALUES (?)');
        foreach ($lines as $line) {
            $insert->execute([json_encode($line)]);
        }
        $queue = ['--queue', $dsn, '--until-empty'];
        self::assertSame($expected, $this->runToEnd("$this->dir/queue", [], ...$queue));
        self::assertSame(0, (int) $db->query('SELECT COUNT(*) FROM openlines_queue')->fetchColumn());
        self::assertSame(self::snapshots("$this->dir/stdin"), self::snapshots("$this->dir/queue"));
        // A crash between logging a row and deleting it leaves it in the queue: taken
        // again, it is not applied twice.
        $db->prepare('INSERT INTO openlines_queue (id, body) VALUES (40, ?)')->execute([json_encode($lines[39])]);
        self::assertSame([], $this->runToEnd("$this->dir/queue", [], ...$queue));
        self::assertSame(self::snapshots("$this->dir/stdin"), self::snapshots("$this->dir/queue"));
    }

    public function testPerRequestHandlerEqualsOneLongLivedEngine(): void
    {
        if (!in_array('sqlite', \PDO::getAvailableDrivers(), true)) {
            self::markTestSkipped('needs pdo_sqlite (Debian: php-sqlite3)');
        }
        require_once self::repo('examples/php/request.php');
        $state = "$this->dir/requests";
        mkdir($state);
        $config = "$this->dir/tenants/acme.json";
        $engine = new Engine((string) file_get_contents($config));
        $seq = 0;
        foreach (self::traffic(40) as $line) {
            $at = new DateTimeImmutable($line['at']);
            $input = $line['input'] ?? null;
            try {
                $expected = ['actions' => $input === null ? $engine->advance($at) : $engine->handle($at, $input), 'error' => null];
            } catch (Exception $e) {
                $expected = ['actions' => $e->getActions(), 'error' => ['kind' => $e->getKind(), 'message' => $e->getMessage()]];
            }
            $expected = ['seq' => ++$seq, 'at' => \engine_time($at)] + $expected + ['repeated' => false];
            self::assertSame($expected, \handle_request($state, 'acme', $config, $input, $line['at'], "id$seq"));
            if ($seq === 20) {
                $snapshot20 = \open_tenant_db($state, 'acme')->query('SELECT snapshot FROM tenant')->fetchColumn();
            }
            if ($seq === 30) {
                // As worker.php --listen leaves it when killed: the snapshot of input 20 and
                // the inputs after it in the log. The next request applies them first.
                $update = \open_tenant_db($state, 'acme')->prepare('UPDATE tenant SET snapshot = ?, seq = 20');
                $update->bindValue(1, $snapshot20, \PDO::PARAM_LOB);
                $update->execute();
            }
        }
        // A retried request id is answered from the log, not applied again.
        $again = \handle_request($state, 'acme', $config, self::message(), '2026-11-24T00:00:00Z', 'id3');
        self::assertTrue($again['repeated']);
        self::assertSame(3, $again['seq']);
        $db = \open_tenant_db($state, 'acme');
        self::assertSame($engine->snapshot(), $db->query('SELECT snapshot FROM tenant')->fetchColumn());
        self::assertSame($seq, (int) $db->query('SELECT COUNT(*) FROM inputs')->fetchColumn());
    }
}
