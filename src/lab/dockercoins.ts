// A dockercoins-like stack small enough to build offline, faithful where the seed chapter looks: services
// `dockercoins_{rng,hasher,worker}` on the overlay network `dockercoins_default` (not attachable, like the real app's),
// labelled as `docker stack deploy` would, reachable as `rng` and `hasher`. Their behaviour under load is the lesson
// the chapter teaches:
// - rng sleeps 100 ms then returns N random bytes (`GET /N`), ONE request at a time per replica (a lock), so it does
//   not scale with concurrency: `ab -c 50` makes each request wait for the others;
// - hasher sleeps 100 ms then returns the sha256 of the POST body, serving requests concurrently;
// - worker loops over both, as the real worker does (the chapter scales it to 0 before benchmarking).
// Pure data: engine/services.ts turns these definitions into swarm services.
import type { NetworkDefinition, ServiceDefinition } from '../engine/services.ts';

export const STACK = 'dockercoins';
export const NETWORK = `${STACK}_default`;
/** Marks everything `labdeck lab` creates, so that `lab down` removes exactly that. */
export const LAB_LABEL = 'org.labdeck.lab';

/** Five, as the chapter expects `drill tasks.rng` to list five addresses (rng ran on each of five nodes). */
export const DEFAULT_RNG_REPLICAS = 5;

/**
 * rng and hasher: one forking HTTP server in Perl (perl-base is part of every Debian, so of the toolbox), with a
 * listen backlog that takes `ab -c 50` (busybox's `nc -ll` queues one connection and drops the rest until their
 * SYNs are retried, a second later). `SERVE=rng`: one request at a time (a lock each child takes with flock).
 */
const HTTP_SERVER = String.raw`
use strict;
use IO::Socket::INET;
$SIG{CHLD} = 'IGNORE';
my $rng = $ENV{SERVE} eq 'rng';
my $server = IO::Socket::INET->new(LocalPort => 80, Listen => 256, ReuseAddr => 1) or die "cannot listen: $!";
while (1) {
  my $client = $server->accept or next;
  my $pid = fork();
  if (defined $pid && $pid == 0) { serve($client); exit 0; }
  close $client;
}
sub serve {
  my ($client) = @_;
  my $request = <$client> // return;
  my ($path) = $request =~ m{^\S+\s+(\S+)};
  my $length = 0;
  while (my $line = <$client>) {
    last if $line =~ /^\r?\n$/;
    $length = $1 if $line =~ /^content-length:\s*(\d+)/i;
  }
  my $body;
  if ($rng) {
    my ($count) = ($path // '') =~ m{^/(\d+)};
    $count = 32 unless defined $count;
    $count = 1048576 if $count > 1048576;
    open(my $lock, '>', '/tmp/rng.lock') or die;
    flock($lock, 2);
    select(undef, undef, undef, 0.1);
    open(my $random, '<', '/dev/urandom') or die;
    read($random, $body, $count);
    respond($client, 'application/octet-stream', $body);
    close $lock;
  } else {
    my $data = '';
    read($client, $data, $length - length($data), length($data)) while length($data) < $length && !eof($client);
    select(undef, undef, undef, 0.1);
    open(my $file, '>', "/tmp/body.$$") or die;
    print $file $data;
    close $file;
    my ($hash) = split(' ', qx(sha256sum /tmp/body.$$));
    unlink "/tmp/body.$$";
    respond($client, 'text/plain', "$hash\n");
  }
}
sub respond {
  my ($client, $type, $body) = @_;
  print $client "HTTP/1.0 200 OK\r\nContent-Type: $type\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n" . $body;
  close $client;
}
`;

const WORKER_LOOP = `
while :; do
  if wget -q -O /tmp/random http://rng/32 && wget -q -O - --post-file /tmp/random http://hasher/ >/dev/null; then
    coins=$((coins + 1)); [ $((coins % 100)) = 0 ] && echo "$coins hashes"
  else
    sleep 1
  fi
done
`;

export interface DockercoinsOptions {
  /** busybox is enough for the worker. */
  readonly image: string;
  /** rng and hasher need Perl: the toolbox. */
  readonly serverImage: string;
  readonly rngReplicas?: number;
  readonly endpointMode: 'vip' | 'dnsrr';
}

export function dockercoinsNetwork(): NetworkDefinition {
  return { name: NETWORK, attachable: false, labels: { 'com.docker.stack.namespace': STACK, [LAB_LABEL]: STACK } };
}

export function dockercoinsServices(options: DockercoinsOptions): ServiceDefinition[] {
  const service = (name: string, image: string, replicas: number, command: string[], env: Record<string, string> = {}): ServiceDefinition => ({
    name: `${STACK}_${name}`,
    image,
    replicas,
    command,
    env,
    networks: [{ name: NETWORK, aliases: [name] }],
    labels: { 'com.docker.stack.namespace': STACK, 'com.docker.stack.image': image, [LAB_LABEL]: STACK },
    endpointMode: options.endpointMode,
  });
  return [
    service('rng', options.serverImage, options.rngReplicas ?? DEFAULT_RNG_REPLICAS, ['perl', '-e', HTTP_SERVER], { SERVE: 'rng' }),
    service('hasher', options.serverImage, 1, ['perl', '-e', HTTP_SERVER], { SERVE: 'hasher' }),
    service('worker', options.image, 1, ['sh', '-c', WORKER_LOOP]),
  ];
}
