// Small engine snapshots for the pure check tests: a one-manager swarm with dockercoins-like services.
import { UNKNOWN_SNAPSHOT, type EngineSnapshot, type ServiceState, type TaskState } from '../../src/checks/engine-state.ts';
import type { CommandRecord } from '../../src/protocol.ts';

export const NOW = Date.parse('2025-01-01T12:00:00Z');

export function service(overrides: Partial<ServiceState> & { name: string }): ServiceState {
  return {
    id: `svc-${overrides.name}`,
    labels: {},
    mode: 'replicated',
    replicas: 1,
    image: 'alpine:latest@sha256:abc123',
    networkIds: [],
    constraints: [],
    endpointMode: 'vip',
    ports: [],
    desiredTasks: overrides.replicas ?? 1,
    updatedAt: NOW - 600_000,
    ...overrides,
  };
}

export function task(serviceName: string, state: string, overrides: Partial<TaskState> = {}): TaskState {
  return {
    id: `task-${serviceName}-${Math.random().toString(36).slice(2, 8)}`,
    serviceId: `svc-${serviceName}`,
    nodeId: 'node-1',
    desiredState: 'running',
    state,
    message: state,
    error: undefined,
    updatedAt: NOW - 600_000,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return {
    ...UNKNOWN_SNAPSHOT,
    reachable: true,
    takenAt: NOW,
    swarm: 'active',
    selfNodeId: 'node-1',
    isManager: true,
    nodes: [{ id: 'node-1', hostname: 'node1', role: 'manager', availability: 'active', state: 'ready', labels: {} }],
    networks: [
      { id: 'net-ingress', name: 'ingress', driver: 'overlay', scope: 'swarm', attachable: false },
      { id: 'net-dc', name: 'dockercoins_default', driver: 'overlay', scope: 'swarm', attachable: false },
      { id: 'net-bridge', name: 'bridge', driver: 'bridge', scope: 'local', attachable: false },
    ],
    ...overrides,
  };
}

export function command(text: string, exitCode: number | undefined, startedAt = NOW - 1000): CommandRecord {
  return { command: text, exitCode, startedAt, endedAt: exitCode === undefined ? undefined : startedAt + 10, cwd: '/root', terminal: 'alice/1' };
}
